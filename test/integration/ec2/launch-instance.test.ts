/**
 * ec2_launch against moto: after a real ec2/register-image, the task launches one instance from the
 * AMI with the manifest's and the plugin's tags plus the build tag, waits for it to run, writes its
 * address, and deregisters the AMI when asked; undo terminates it, and so does `bootstrap cleanup`'s
 * cleaner for an instance a killed build left (found by the build tag alone). Needs moto; ~10 s.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeImagesCommand, DescribeInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { BUILD_TAG_KEY, BuildState, VOLUME, type ManifestData } from '../../../src/api/index.js';
import { connectToAws } from '../../../plugins/ec2/aws/connect.js';
import { awsFor } from '../../../plugins/ec2/aws/context.js';
import { registerRootImage } from '../../../plugins/ec2/aws/register-image.js';
import { IMAGE_LOCATION, REGISTERED_IMAGE } from '../../../plugins/ec2/aws/state.js';
import { instanceCleaner } from '../../../plugins/ec2_launch/instance-cleaner.js';
import { launchInstance, terminateInstance } from '../../../plugins/ec2_launch/launch-instance.js';
import { baseManifestData, memoryJournal, testContext, testManifest } from '../../helpers/fake-context.js';
import { MOTO_CREDENTIALS, motoSkip, startMoto, type Moto } from '../../helpers/moto.js';

describe('ec2_launch against moto', { skip: motoSkip }, () => {
  let moto: Moto;
  let dir = '';
  const savedEnv = { ...process.env };
  const contexts: ReturnType<typeof testContext>[] = [];

  before(async () => {
    moto = await startMoto();
    Object.assign(process.env, MOTO_CREDENTIALS);
    dir = mkdtempSync(join(tmpdir(), 'ec2-launch-it-'));
  });

  after(async () => {
    for (const ctx of contexts) ctx.closeClients();
    await instanceCleaner.dispose?.();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
    process.env = savedEnv;
  });

  /** A connected context with a freshly registered AMI, as after ec2/register-image. */
  async function registered(runId: string, launch: Record<string, unknown>) {
    const data = {
      ...baseManifestData,
      name: `launch-test-${runId}`,
      tags: { Project: 'images' },
      provider: {
        name: 'ec2',
        virtualization: 'hvm',
        region: 'us-east-1',
        endpoints: { ec2: moto.endpoint, sts: moto.endpoint },
      },
      plugins: { ec2_launch: launch },
    } as unknown as ManifestData;
    const state = new BuildState();
    state.set(VOLUME, { backing: 'raw', sizeBytes: 2 ** 30, partitionMap: 'gpt', partitions: [] } as never);
    // The S3 route's input is the cheapest way to a real RegisterImage here (moto ignores the location).
    state.set(IMAGE_LOCATION, `bucket/launch-test-${runId}.manifest.xml`);
    const journal = memoryJournal(runId);
    const ctx = testContext({ manifest: testManifest(data), state, journal, runId });
    await connectToAws(ctx);
    contexts.push(ctx);
    await registerRootImage(ctx);
    const image = ctx.state.get(REGISTERED_IMAGE);
    assert.match(image?.imageId ?? '', /^ami-/);
    return { ctx, journal, imageId: image?.imageId ?? '' };
  }

  async function instance(ctx: ReturnType<typeof testContext>, id: string): Promise<Instance> {
    const out = await (await awsFor(ctx)).ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const found = out.Reservations?.[0]?.Instances?.[0];
    assert.ok(found, `instance ${id} exists`);
    return found;
  }

  it('launches a tagged instance, writes its address, keeps the AMI; undo terminates it', async () => {
    const ipFile = join(dir, 'ip');
    const { ctx, journal, imageId } = await registered('launch01', {
      instance_type: 't3.small',
      print_public_ip: ipFile,
      tags: { Name: 'test-{system.release}' },
    });
    await launchInstance(ctx);
    const artifact = ctx.artifacts.find((a) => a.kind === 'instance');
    assert.match(artifact?.id ?? '', /^i-/);
    const id = artifact?.id ?? '';
    const running = await instance(ctx, id);
    assert.equal(running.State?.Name, 'running');
    assert.equal(running.ImageId, imageId);
    assert.equal(running.InstanceType, 't3.small');
    const tags = Object.fromEntries((running.Tags ?? []).map((t) => [t.Key, t.Value]));
    assert.deepEqual(tags, { Project: 'images', Name: 'test-bookworm', [BUILD_TAG_KEY]: 'launch01' });
    const address = running.PublicIpAddress ?? running.PrivateIpAddress;
    assert.ok(address);
    assert.equal(readFileSync(ipFile, 'utf8'), `${address}\n`);
    assert.deepEqual(journal.lines.slice(-2), [
      'intend ec2_launch/instance debian-image-bootstrap-launch01-instance',
      `created debian-image-bootstrap-launch01-instance ${id}`,
    ]);
    const images = await (await awsFor(ctx)).ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    assert.equal(images.Images?.length, 1, 'the AMI stays registered');

    await terminateInstance(ctx);
    assert.match((await instance(ctx, id)).State?.Name ?? '', /^(shutting-down|terminated)$/);
    assert.equal(journal.lines.at(-1), 'released debian-image-bootstrap-launch01-instance');
    await terminateInstance(ctx); // idempotent: nothing left to undo
  });

  it('deregister_ami: the AMI is gone once the instance runs', async () => {
    const { ctx, imageId } = await registered('launch02', { deregister_ami: true });
    await launchInstance(ctx);
    const images = await (await awsFor(ctx)).ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    assert.deepEqual(images.Images ?? [], []);
    assert.equal(ctx.state.get(REGISTERED_IMAGE), undefined);
    await terminateInstance(ctx);
  });

  it('cleanup finds an instance a killed build left by its build tag and terminates it', async () => {
    const { ctx } = await registered('launch03', {});
    await launchInstance(ctx); // no undo: the build "was killed"
    const scope = { runId: 'launch03', region: 'us-east-1', endpoint: moto.endpoint, log: () => {} };
    const found = await instanceCleaner.findTagged!(scope);
    assert.equal(found.length, 1);
    assert.equal(await instanceCleaner.remove(found[0] ?? '', scope), 'deleted');
    assert.deepEqual(await instanceCleaner.findTagged!(scope), []);
    assert.equal(await instanceCleaner.remove('i-0123456789abcdef0', scope), 'absent');
  });
});
