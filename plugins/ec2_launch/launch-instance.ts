/**
 * ec2_launch/launch-instance (bootstrap-vz's LaunchEC2Instance): once the AMI is registered (and
 * published), launch one instance from it, tagged at creation with the manifest's tags and the build
 * tag, wait until it runs, print its address and optionally write the public IP to a file. With
 * `deregister_ami` the AMI was a throwaway test build and is deregistered once the instance runs.
 *
 * The instance is journaled as a product: a successful build leaves it running for the user to test,
 * while a failed or interrupted build terminates it (undo), and `bootstrap cleanup` terminates one a
 * SIGKILL left behind (instance-cleaner.ts).
 */
import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { BUILD_TAG_KEY, BuildError, stateKey, type TaskContext } from '../../src/api/index.js';
import { awsFor, deregisterRootImage, pollUntil, REGISTERED_IMAGE, resourceTags } from '../ec2/public.js';

export interface LaunchSettings {
  security_group_ids?: string[];
  instance_type?: string;
  ssh_key?: string;
  print_public_ip?: string;
  tags?: Record<string, string>;
  deregister_ami?: boolean;
}

/** bootstrap-vz launched t2.micro; t3.micro is its current-generation, Nitro (ENA, NVMe) successor. */
export const DEFAULT_INSTANCE_TYPE = 't3.micro';
const RUNNING_TIMEOUT_MS = 10 * 60_000;

const LAUNCHED = stateKey<{ key: string; instanceId?: string } | undefined>(
  'ec2_launch/launched',
  () => undefined,
);

export function settingsOf(ctx: TaskContext): LaunchSettings {
  return ctx.manifest.pluginSettings<LaunchSettings>('ec2_launch') ?? {};
}

/** The instance's tags: the manifest's `tags` and build tag, then the plugin's own (expanded). */
export function instanceTags(ctx: TaskContext): Record<string, string> {
  const tags = resourceTags(ctx.manifest, ctx.runId);
  for (const [k, v] of Object.entries(settingsOf(ctx).tags ?? {})) tags[k] = ctx.manifest.expand(v);
  return tags;
}

export function runInstancesInput(ctx: TaskContext, imageId: string, clientToken: string) {
  const s = settingsOf(ctx);
  const tags = Object.entries(instanceTags(ctx)).map(([Key, Value]) => ({ Key, Value }));
  return {
    ImageId: imageId,
    InstanceType: (s.instance_type ?? DEFAULT_INSTANCE_TYPE) as never,
    MinCount: 1,
    MaxCount: 1,
    ClientToken: clientToken,
    ...(s.ssh_key ? { KeyName: s.ssh_key } : {}),
    ...(s.security_group_ids?.length ? { SecurityGroupIds: s.security_group_ids } : {}),
    TagSpecifications: [
      { ResourceType: 'instance' as const, Tags: tags },
      { ResourceType: 'volume' as const, Tags: tags },
    ],
  };
}

export async function launchInstance(ctx: TaskContext): Promise<void> {
  const s = settingsOf(ctx);
  const key = `debian-image-bootstrap-${ctx.runId}-instance`;
  const image = ctx.state.get(REGISTERED_IMAGE);
  if (!image) throw new BuildError('there is no AMI to launch (ec2/register-image has not run)');
  const aws = await awsFor(ctx);
  ctx.state.set(LAUNCHED, { key });
  await ctx.journal.intend({
    plugin: 'ec2_launch',
    kind: 'instance',
    key,
    ...aws.journalScope('ec2'),
    product: true,
  });
  // Not aborted mid-call: an aborted RunInstances can still start the instance and lose its id.
  const out = await aws.ec2.send(new RunInstancesCommand(runInstancesInput(ctx, image.imageId, key)));
  const instanceId = out.Instances?.[0]?.InstanceId;
  if (!instanceId) throw new BuildError(`RunInstances from ${image.imageId} returned no instance id`);
  ctx.state.set(LAUNCHED, { key, instanceId });
  await ctx.journal.created(key, instanceId);
  ctx.log('info', `launched ${instanceId} from ${image.imageId}; waiting for it to run`);

  const instance = await waitRunning(aws.ec2, instanceId, ctx.signal);
  const publicIp = instance.PublicIpAddress;
  const address = publicIp ?? instance.PrivateIpAddress ?? '(no address)';
  ctx.log(
    'info',
    `instance ${instanceId} is running at ${address}${publicIp ? '' : ' (private: it has no public IP)'}`,
  );
  ctx.addArtifact({ kind: 'instance', id: instanceId, region: aws.region, name: address });
  if (s.print_public_ip) {
    if (!publicIp)
      ctx.log('warn', `${instanceId} has no public IP: ${s.print_public_ip} gets its private address`);
    await ctx.fs.writeFile(s.print_public_ip, `${publicIp ?? instance.PrivateIpAddress ?? ''}\n`);
  }
  if (s.deregister_ami) {
    // The instance no longer needs the AMI once it runs; a throwaway test build is not left registered.
    ctx.log('info', `deregistering ${image.imageId} (deregister_ami)`);
    await deregisterRootImage(ctx);
  }
}

/** Undo: terminate the instance (found by the build tag when RunInstances' answer was lost). */
export async function terminateInstance(ctx: TaskContext): Promise<void> {
  const launched = ctx.state.get(LAUNCHED);
  if (!launched) return;
  const { ec2 } = await awsFor(ctx);
  const ids = launched.instanceId ? [launched.instanceId] : await taggedInstances(ec2, ctx.runId);
  if (ids.length) {
    await terminate(ec2, ids);
    ctx.log('info', `terminated ${ids.join(', ')}`);
  }
  await ctx.journal.released(launched.key);
  ctx.state.set(LAUNCHED, undefined);
}

async function waitRunning(ec2: EC2Client, instanceId: string, signal: AbortSignal): Promise<Instance> {
  return pollUntil(
    async () => {
      const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), {
        abortSignal: signal,
      });
      const instance = out.Reservations?.[0]?.Instances?.[0];
      const state = instance?.State?.Name;
      if (state === 'running') return instance;
      if (state && state !== 'pending')
        throw new BuildError(
          `instance ${instanceId} is ${state}${instance?.StateReason?.Message ? `: ${instance.StateReason.Message}` : ''}`,
        );
      return undefined;
    },
    { signal, what: `instance ${instanceId} to run`, timeoutMs: RUNNING_TIMEOUT_MS, initialDelayMs: 3000 },
  );
}

const NOT_FOUND = /^InvalidInstanceID\.(NotFound|Malformed)$/;

/** Terminates instances; those already gone are fine. */
export async function terminate(ec2: EC2Client, ids: readonly string[]): Promise<'deleted' | 'absent'> {
  try {
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [...ids] }));
    return 'deleted';
  } catch (error) {
    const code = (error as { Code?: string; name?: string }).Code ?? (error as Error).name;
    if (NOT_FOUND.test(code ?? '')) return 'absent';
    throw error;
  }
}

/** Instances of this run (build tag) that are not already terminated. */
export async function taggedInstances(ec2: EC2Client, runId: string): Promise<string[]> {
  const out = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${BUILD_TAG_KEY}`, Values: [runId] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    }),
  );
  return (out.Reservations ?? []).flatMap((r) =>
    (r.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])),
  );
}
