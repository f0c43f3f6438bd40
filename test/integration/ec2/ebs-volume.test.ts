/**
 * The EBS route's tasks against moto, a local metadata service on loopback and the fake hypervisor
 * (real loop devices): identity from IMDSv2, CreateVolume in the instance's zone, AttachVolume under a
 * lock, the block device found under its Xen name and, in the second case, as NVMe by serial; the
 * base partition task writes a table on it and the partition node settles; then detach, snapshot
 * (ROOT_SNAPSHOT, journal), delete. Then rollback after each AWS step: the undos leave no volume or
 * snapshot in moto, no loop device and no lock. Needs root, loop devices and moto; ~15 s.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { BuildState, VOLUME, type TaskContext } from '../../../src/api/index.js';
import { startImdsServer, type ImdsServer } from '../../../src/boottest/imds-server.js';
import { connectToAws } from '../../../plugins/ec2/aws/connect.js';
import { ROOT_SNAPSHOT } from '../../../plugins/ec2/aws/state.js';
import * as ebs from '../../../plugins/ec2/ebs-host/ebs-tasks.js';
import { BUILD_VOLUME } from '../../../plugins/ec2/ebs-host/state.js';
import { partitionVolume } from '../../../src/base/volume/partition-tasks.js';
import { planVolume } from '../../../src/base/volume/plan-volume.js';
import { createHostRunner } from '../../../src/runner/index.js';
import { createNullLogger } from '../../../src/log/logger.js';
import {
  startFakeHypervisor,
  type DeviceNaming,
  type FakeHypervisor,
} from '../../helpers/fake-hypervisor.js';
import {
  baseManifestData,
  memoryJournal,
  testContext,
  testManifest,
  type TestContext,
} from '../../helpers/fake-context.js';
import { MOTO_CREDENTIALS, motoSkip, startMoto, type Moto } from '../../helpers/moto.js';

const isRoot = process.getuid?.() === 0;
const skip =
  motoSkip || (!isRoot || !existsSync('/dev/loop-control') ? 'needs root and loop devices' : false);

const manifest = testManifest({
  ...baseManifestData,
  name: 'it-ebs',
  provider: { name: 'ec2', virtualization: 'hvm', description: 'test' },
  volume: { backing: 'ebs', partitions: { type: 'gpt', root: { filesystem: 'ext4', size: '1GiB' } } },
});

describe('EBS backing tasks on a played EC2 host', { skip }, () => {
  let moto: Moto;
  let imds: ImdsServer;
  let ec2: EC2Client;
  let instanceId = '';
  const saved = { ...process.env };

  before(async () => {
    moto = await startMoto();
    ec2 = new EC2Client({
      region: MOTO_CREDENTIALS.AWS_REGION,
      endpoint: moto.endpoint,
      credentials: {
        accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
        secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
      },
    });
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }),
    );
    const instance = run.Instances?.[0];
    instanceId = instance?.InstanceId ?? '';
    const zone = instance?.Placement?.AvailabilityZone ?? 'us-east-1a';
    imds = await startImdsServer({
      requireV2: true,
      tree: {
        'meta-data': {
          'instance-id': instanceId,
          placement: { region: zone.slice(0, -1), 'availability-zone': zone },
        },
      },
    });
    Object.assign(process.env, moto.env(), { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url });
  });

  after(async () => {
    process.env = saved;
    ec2?.destroy();
    await imds?.close();
    await moto?.stop();
  });

  async function withHypervisor<T>(naming: DeviceNaming, fn: (h: FakeHypervisor) => Promise<T>): Promise<T> {
    const h = await startFakeHypervisor({ endpoint: moto.endpoint, instanceId, naming });
    Object.assign(process.env, h.env());
    try {
      return await fn(h);
    } finally {
      await h.stop();
      assert.deepEqual(h.loopsLeft(), [], 'no loop device left');
    }
  }

  function context(
    state: BuildState,
    journal = memoryJournal(),
  ): TaskContext & Pick<TestContext, 'closeClients'> {
    const signal = new AbortController().signal;
    return {
      ...testContext({ manifest, state, journal, workspace: '/tmp/ebs-it' }),
      runner: createHostRunner({ log: createNullLogger(), signal }),
    };
  }

  async function volumesInMoto(): Promise<string[]> {
    const out = await ec2.send(new DescribeVolumesCommand({}));
    // The instance's own root volume (RunInstances) is not the build's.
    return (out.Volumes ?? [])
      .filter((v) => !v.Attachments?.some((a) => a.Device === '/dev/sda1'))
      .flatMap((v) => (v.VolumeId ? [v.VolumeId] : []));
  }
  async function snapshotsInMoto(): Promise<string[]> {
    const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    return (out.Snapshots ?? []).flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : []));
  }

  for (const naming of ['xen', 'nvme'] as const) {
    it(`builds on the volume and snapshots it (${naming} device naming)`, async () => {
      await withHypervisor(naming, async (h) => {
        const state = new BuildState();
        const journal = memoryJournal();
        const ctx = context(state, journal);
        const snapshotsBefore = await snapshotsInMoto();
        await ebs.readInstanceIdentity(ctx);
        await connectToAws(ctx);
        await planVolume.run(ctx);
        await ebs.createBuildVolume(ctx);
        await ebs.attachBuildVolume(ctx);
        const volume = state.get(BUILD_VOLUME);
        assert.ok(volume?.volumeId);
        assert.equal(volume.attachedAs, '/dev/sdf');
        const loop = h.attached().get(volume.volumeId);
        assert.ok(loop, 'the hypervisor backs the attached volume');
        assert.equal(state.get(VOLUME)?.device, loop, 'discovery resolved the device to the disk');
        assert.ok(existsSync(`${h.lockDir}/ebs-sdf.lock`), 'the device name is locked while attached');
        const size = execFileSync('blockdev', ['--getsize64', loop], { encoding: 'utf8' }).trim();
        assert.equal(Number(size), volume.sizeGiB * 2 ** 30, 'the loop device has the volume size');
        const described = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volume.volumeId] }));
        const v = described.Volumes?.[0];
        assert.equal(v?.VolumeType, 'gp3');
        assert.ok(v?.Tags?.some((t) => t.Key === 'debian-image-bootstrap:run' && t.Value === ctx.runId));
        // The base volume task works on the handed-over device and its partition nodes appear.
        await partitionVolume.run(ctx);
        const root = state.get(VOLUME)?.partitions.find((p) => p.name === 'root');
        assert.ok(root?.device && existsSync(root.device), `partition node ${root?.device}`);

        await ebs.detachBuildVolume(ctx);
        assert.equal(state.get(VOLUME)?.device, undefined);
        assert.ok(!existsSync(`${h.lockDir}/ebs-sdf.lock`), 'lock released on detach');
        await ebs.snapshotBuildVolume(ctx);
        const snapshot = state.get(ROOT_SNAPSHOT);
        assert.ok(snapshot && !snapshotsBefore.includes(snapshot.snapshotId));
        assert.equal(snapshot.volumeSizeGiB, volume.sizeGiB);
        await ebs.deleteBuildVolume(ctx);
        assert.deepEqual(await volumesInMoto(), []);
        assert.deepEqual(journal.lines, [
          `intend ec2/volume debian-image-bootstrap-${ctx.runId}-volume`,
          `created debian-image-bootstrap-${ctx.runId}-volume ${volume.volumeId}`,
          `intend ec2/snapshot debian-image-bootstrap-${ctx.runId}-root`,
          `created debian-image-bootstrap-${ctx.runId}-root ${snapshot.snapshotId}`,
          `released debian-image-bootstrap-${ctx.runId}-volume`,
        ]);
        // The product snapshot stays; remove it so the next case starts clean.
        await ebs.deleteVolumeSnapshot(ctx);
        ctx.closeClients();
      });
    });
  }

  const steps = ['create-volume', 'attach-volume', 'detach-volume', 'snapshot-volume'] as const;
  for (const failAfter of steps) {
    it(`rolls back after ${failAfter}: no volume, snapshot, loop device or lock left`, async () => {
      await withHypervisor('nvme', async (h) => {
        const state = new BuildState();
        const ctx = context(state);
        const snapshotsBefore = await snapshotsInMoto();
        await ebs.readInstanceIdentity(ctx);
        await connectToAws(ctx);
        await planVolume.run(ctx);
        // What ran, and the undo of each, in the engine's reverse order.
        const undos: (() => Promise<void>)[] = [];
        const order: [string, () => Promise<void>, (() => Promise<void>) | undefined][] = [
          ['create-volume', () => ebs.createBuildVolume(ctx), () => ebs.deleteBuildVolume(ctx)],
          ['attach-volume', () => ebs.attachBuildVolume(ctx), () => ebs.undoAttachBuildVolume(ctx)],
          ['detach-volume', () => ebs.detachBuildVolume(ctx), undefined],
          ['snapshot-volume', () => ebs.snapshotBuildVolume(ctx), () => ebs.deleteVolumeSnapshot(ctx)],
        ];
        for (const [id, run, undo] of order) {
          await run();
          if (undo) undos.unshift(undo);
          if (id === failAfter) break;
        }
        for (const undo of undos) await undo();
        ctx.closeClients();
        assert.deepEqual(await volumesInMoto(), []);
        assert.deepEqual(await snapshotsInMoto(), snapshotsBefore);
        assert.deepEqual(readdirSync(h.lockDir), [], 'no device-name lock left');
        // Give the hypervisor a poll to notice the detach, then nothing of this volume is plugged.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(h.attached().size, 0);
      });
    });
  }
});
