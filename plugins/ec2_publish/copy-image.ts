/**
 * ec2_publish/publish-image: after ec2/register-image, copy the AMI to the other regions (in
 * parallel, each copy tagged at creation and journaled like the original, then awaited), set launch
 * permissions (public, accounts, organizations) on every AMI, set a deprecation time, and write the
 * AMI id per region to a file. The undo deregisters the copies.
 */
import {
  CopyImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  EnableImageDeprecationCommand,
  ModifyImageAttributeCommand,
  type EC2Client,
  type LaunchPermission,
} from '@aws-sdk/client-ec2';
import { BuildError, stateKey, type TaskContext } from '../../src/api/index.js';
import {
  awsErrorText,
  awsFor,
  isGone,
  pollUntil,
  REGISTERED_IMAGE,
  resourceTags,
  tagSpecification,
  type AwsClients,
} from '../ec2/public.js';

export interface PublishSettings {
  regions?: string[];
  manifest_url?: string;
  public?: boolean;
  accounts?: string[];
  organizations?: string[];
  organizational_units?: string[];
  deprecate_after_days?: number;
}

interface Copy {
  key: string;
  region: string;
  imageId?: string;
  clients: AwsClients;
}

const COPIES = stateKey<Copy[]>('ec2_publish/copies', () => []);
const COPY_TIMEOUT_MS = 60 * 60_000;

export function settingsOf(ctx: TaskContext): PublishSettings {
  return ctx.manifest.pluginSettings<PublishSettings>('ec2_publish') ?? {};
}

export function launchPermissions(s: PublishSettings): LaunchPermission[] {
  return [
    ...(s.public ? [{ Group: 'all' as const }] : []),
    ...(s.accounts ?? []).map((UserId) => ({ UserId })),
    ...(s.organizations ?? []).map((OrganizationArn) => ({ OrganizationArn })),
    ...(s.organizational_units ?? []).map((OrganizationalUnitArn) => ({ OrganizationalUnitArn })),
  ];
}

export async function publishImage(ctx: TaskContext): Promise<void> {
  const s = settingsOf(ctx);
  const tags = resourceTags(ctx.manifest, ctx.runId);
  const permissions = launchPermissions(s);
  const source = ctx.state.get(REGISTERED_IMAGE);
  if (!source) throw new BuildError('there is no AMI to publish (ec2/register-image has not run)');
  const home = await awsFor(ctx);
  const regions = (s.regions ?? []).filter((r) => r !== source.region);
  const copies = ctx.state.get(COPIES);
  const description = `${source.name} copied from ${source.imageId} in ${source.region}`;
  // All copies at once: each waits minutes on AWS, and they do not depend on each other.
  // allSettled: a failed copy must not start the rollback while other copies are still being created.
  const settled = await Promise.allSettled(
    regions.map(async (region) => {
      // Made once per region with the build's settings; the engine closes them with the build's.
      const clients = await home.inRegion(region);
      const key = `debian-image-bootstrap-${ctx.runId}-copy-${region}`;
      const copy: Copy = { key, region, clients };
      copies.push(copy);
      await ctx.journal.intend({
        plugin: 'ec2',
        kind: 'image',
        key,
        ...clients.journalScope('ec2'),
        product: true,
      });
      const out = await clients.ec2.send(
        new CopyImageCommand({
          SourceImageId: source.imageId,
          SourceRegion: source.region,
          Name: source.name,
          Description: description,
          ClientToken: key.slice(0, 64),
          TagSpecifications: [tagSpecification('image', tags), tagSpecification('snapshot', tags)],
        }),
        { abortSignal: ctx.signal },
      );
      if (!out.ImageId) throw new BuildError(`CopyImage to ${region} returned no image id`);
      copy.imageId = out.ImageId;
      await ctx.journal.created(key, out.ImageId);
      ctx.log('info', `copying ${source.imageId} to ${region} as ${out.ImageId}`);
      const snapshotId = await waitAvailable(clients.ec2, out.ImageId, ctx.signal);
      ctx.addArtifact({ kind: 'ami', id: out.ImageId, region, name: source.name });
      if (snapshotId) ctx.addArtifact({ kind: 'snapshot', id: snapshotId, region });
    }),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const all: { ec2: EC2Client; imageId: string; region: string }[] = [
    { ec2: home.ec2, imageId: source.imageId, region: source.region },
    ...copies.map((c) => ({ ec2: c.clients.ec2, imageId: c.imageId ?? '', region: c.region })),
  ];
  for (const { ec2, imageId, region } of all) {
    if (permissions.length) {
      await ec2.send(
        new ModifyImageAttributeCommand({
          ImageId: imageId,
          Attribute: 'launchPermission',
          LaunchPermission: { Add: permissions },
        }),
        { abortSignal: ctx.signal },
      );
      ctx.log(
        'info',
        `launch permissions of ${imageId} (${region}): ${permissions.map((p) => p.Group ?? p.UserId ?? p.OrganizationArn ?? p.OrganizationalUnitArn).join(', ')}`,
      );
    }
    if (s.deprecate_after_days)
      await deprecate(ctx, ec2, imageId, s.deprecate_after_days, home.endpointOf('ec2'));
  }
  if (s.manifest_url) {
    const ids = Object.fromEntries(all.map((a) => [a.region, a.imageId]));
    await ctx.fs.writeFile(s.manifest_url, JSON.stringify(ids, null, 2) + '\n');
    ctx.addArtifact({ kind: 'file', path: s.manifest_url, name: 'AMI ids per region' });
  }
}

async function waitAvailable(
  ec2: EC2Client,
  imageId: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  return pollUntil(
    async () => {
      const image = (
        await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }), { abortSignal: signal })
      ).Images?.[0];
      if (image?.State === 'failed' || image?.State === 'error')
        throw new BuildError(`AMI copy ${imageId} is ${image.State}`);
      if (image?.State !== 'available') return undefined;
      return image.BlockDeviceMappings?.find((m) => m.Ebs?.SnapshotId)?.Ebs?.SnapshotId ?? '';
    },
    {
      signal,
      what: `AMI copy ${imageId} to become available`,
      timeoutMs: COPY_TIMEOUT_MS,
      initialDelayMs: 5000,
      maxDelayMs: 30_000,
    },
  ).then((id) => id || undefined);
}

/**
 * EnableImageDeprecation. A custom endpoint that does not implement it (moto answers an HTML 500)
 * gets a warning, not a failed build: the AMI is usable, only its deprecation date is missing, and
 * the log says so. Against AWS's own endpoint every error fails the build.
 */
async function deprecate(
  ctx: TaskContext,
  ec2: EC2Client,
  imageId: string,
  days: number,
  customEndpoint: string | undefined,
): Promise<void> {
  // AWS rounds to the minute and refuses past dates; a whole number of days from now is neither.
  const at = new Date(Date.now() + days * 86_400_000);
  at.setUTCSeconds(0, 0);
  try {
    await ec2.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: at }), {
      abortSignal: ctx.signal,
    });
    ctx.log('info', `${imageId} deprecated from ${at.toISOString()}`);
  } catch (error) {
    const text = awsErrorText(error);
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const unimplemented =
      /not (been )?implemented|NotImplemented/i.test(text) ||
      (status !== undefined && status >= 500 && /parse error|Deserialization/i.test(text));
    if (!customEndpoint || !unimplemented) throw error;
    ctx.log(
      'warn',
      `${imageId}: ${customEndpoint} does not implement EnableImageDeprecation (HTTP ${status ?? '?'}), no deprecation time set`,
    );
  }
}

export async function deregisterCopies(ctx: TaskContext): Promise<void> {
  const copies = ctx.state.get(COPIES);
  for (const copy of [...copies].reverse()) {
    if (copy.imageId) {
      try {
        await copy.clients.ec2.send(new DeregisterImageCommand({ ImageId: copy.imageId }), {
          abortSignal: ctx.signal,
        });
        ctx.log('info', `deregistered copy ${copy.imageId} in ${copy.region}`);
      } catch (error) {
        if (!isGone(error)) throw error;
      }
    }
    await ctx.journal.released(copy.key);
  }
  ctx.state.set(COPIES, []);
  const s = settingsOf(ctx);
  if (s.manifest_url) await ctx.fs.remove(s.manifest_url);
}
