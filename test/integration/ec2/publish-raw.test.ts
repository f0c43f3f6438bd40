/**
 * AMI publishing from anywhere (raw backing) against moto, end to end:
 *
 * 1. `bootstrap manifests/debian-hvm.yml --set volume.backing=raw` (root 2 GiB instead of 8 to keep
 *    CI lean; same packages) with credentials and endpoint from the environment: every block of the
 *    snapshot is read back and compared with the image file (zero blocks absent), the AMI is described,
 *    the snapshot's tags read back, the RegisterImage parameters checked in the serialized request
 *    (moto ignores most of them), the journal keeps both products and `bootstrap cleanup` leaves them.
 * 2. The publishing steps alone (publish-harness.ts: the real engine, journal and rollback, an image
 *    file made here) fail at each AWS call in turn (a permanent 400 from the fault proxy): each rollback
 *    leaves no snapshot, AMI or tagged volume, and the journal shows everything released.
 *    An interrupt mid-upload (the build signal aborted) rolls the snapshot back too.
 * 3. ec2_publish: copies to two more regions, launch permissions, the ids file; a refused copy rolls
 *    back the other copy, the AMI and the snapshot.
 * 4. A publishing process SIGKILLed mid-upload, then `bootstrap cleanup`: the snapshot is gone.
 *
 * moto quirks accounted for (aws.md section 5): RegisterImage makes its own "Auto-created snapshot for
 * AMI ..." that DeregisterImage leaves; StartSnapshot makes an untagged volume. AWS does neither, so
 * cleanup does not chase them; the tests count them instead.
 * Needs moto; part 1 also root and loop devices. About 4.5 minutes with a warm bootstrap cache (the
 * build ~3, the rest ~1.5).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EBSClient, GetSnapshotBlockCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { BUILD_TAG_KEY } from '../../../src/api/index.js';
import { HOST_JOURNAL_PLUGIN } from '../../../src/api/index.js';
import { readJournals } from '../../../src/engine/cloud-journal-file.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { MOTO_CREDENTIALS, motoSkip, startMoto, type Moto } from '../../helpers/moto.js';
import { runPublishSteps } from './publish-harness.js';

const BLOCK = 512 * 1024;
const isRoot = process.getuid?.() === 0;
const rootSkip = !isRoot || !existsSync('/dev/loop-control') ? 'needs root and loop devices' : false;
const HARNESS = new URL('./publish-harness.ts', import.meta.url).pathname;

function awsClients(endpoint: string) {
  const config = {
    endpoint,
    region: MOTO_CREDENTIALS.AWS_REGION,
    credentials: {
      accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  };
  return { ec2: new EC2Client(config), ebs: new EBSClient(config) };
}

/** What moto holds that a build could have left: our snapshots, images and tagged volumes. */
async function leftovers(ec2: EC2Client) {
  const snapshots = (await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))).Snapshots ?? [];
  const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).Images ?? [];
  const volumes = (await ec2.send(new DescribeVolumesCommand({}))).Volumes ?? [];
  return {
    // moto's own AMI snapshots are not the build's (see the header).
    snapshots: snapshots
      .filter((s) => !s.Description?.startsWith('Auto-created snapshot for AMI'))
      .map((s) => s.SnapshotId),
    images: images.map((i) => i.ImageId),
    taggedVolumes: volumes.filter((v) => v.Tags?.some((t) => t.Key === BUILD_TAG_KEY)).map((v) => v.VolumeId),
    volumeCount: volumes.length,
  };
}

/**
 * The CLI in a child process. Asynchronous on purpose: the fault proxy runs in this process, and a
 * spawnSync would block it while the child talks through it.
 */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-200_000)));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('AMI publishing (raw backing) against moto', { skip: motoSkip }, () => {
  let moto: Moto;
  let dir = '';
  let stateDir = '';
  before(async () => {
    moto = await startMoto();
    dir = await mkdtemp(join(tmpdir(), 'publish-raw-it-'));
    stateDir = join(dir, 'state');
  });
  after(async () => {
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'builds debian-hvm.yml with volume.backing=raw into a snapshot and an AMI',
    { skip: rootSkip, timeout: 30 * 60_000 },
    async () => {
      const workspace = await mkdtemp('/var/tmp/publish-raw-ws-');
      const trace = join(dir, 'trace.jsonl');
      const report = join(dir, 'report.json');
      const env = moto.env({ BOOTSTRAP_STATE_DIR: stateDir, BOOTSTRAP_AWS_TRACE: trace });
      try {
        const r = await cli(
          [
            'manifests/debian-hvm.yml',
            '--set',
            'volume.backing=raw',
            '--set',
            'volume.partitions.root.size=2GiB',
            '--set',
            `bootstrapper.workspace=${workspace}`,
            '--report',
            report,
            '--log',
            '-',
            '--progress',
            'plain',
          ],
          env,
        );
        assert.equal(r.status, 0, r.stderr.slice(-4000));
        const rep = JSON.parse(await readFile(report, 'utf8')) as {
          artifacts: { kind: string; id?: string; path?: string; region?: string; name?: string }[];
          cloudCalls: { operation: string; count?: number }[];
        };
        const snapshotId = rep.artifacts.find((a) => a.kind === 'snapshot')?.id ?? '';
        const ami = rep.artifacts.find((a) => a.kind === 'ami');
        const imagePath = rep.artifacts.find((a) => a.kind === 'image')?.path ?? '';
        assert.match(snapshotId, /^snap-/);
        assert.match(ami?.id ?? '', /^ami-/);
        assert.equal(ami?.region, 'us-east-1');
        assert.deepEqual(
          rep.cloudCalls.filter((c) => c.operation !== 'PutSnapshotBlock').map((c) => c.operation),
          [
            'GetCallerIdentity',
            'DescribeImages',
            'StartSnapshot',
            'CompleteSnapshot',
            'DescribeSnapshots',
            'RegisterImage',
            'DescribeImages',
            'CreateTags',
          ],
        );

        // Every block back from the snapshot equals the file; all-zero blocks were never sent.
        const { ec2, ebs } = awsClients(moto.endpoint);
        const listed = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshotId }));
        const indexes = new Set((listed.Blocks ?? []).map((b) => Number(b.BlockIndex)));
        const file = await open(imagePath, 'r');
        // Zero blocks must be absent, data blocks present; then the data blocks are read back 16 at a time.
        const dataIndexes: number[] = [];
        try {
          const size = (await file.stat()).size;
          const buf = Buffer.alloc(BLOCK);
          for (let index = 0; index * BLOCK < size; index++) {
            buf.fill(0);
            await file.read(buf, 0, BLOCK, index * BLOCK);
            const zero = buf.every((b) => b === 0);
            assert.equal(
              indexes.has(index),
              !zero,
              `block ${index}: ${zero ? 'zero but uploaded' : 'data missing'}`,
            );
            if (!zero) dataIndexes.push(index);
          }
          const queue = [...dataIndexes];
          const worker = async () => {
            const expected = Buffer.alloc(BLOCK);
            for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
              expected.fill(0);
              await file.read(expected, 0, BLOCK, index * BLOCK);
              const got = await ebs.send(
                new GetSnapshotBlockCommand({ SnapshotId: snapshotId, BlockIndex: index, BlockToken: 'x' }),
              );
              const bytes = Buffer.from(
                await (
                  got.BlockData as { transformToByteArray(): Promise<Uint8Array> }
                ).transformToByteArray(),
              );
              assert.ok(bytes.equals(expected), `block ${index} differs`);
            }
          };
          await Promise.all(Array.from({ length: 16 }, worker));
        } finally {
          await file.close();
        }
        const dataBlocks = dataIndexes.length;
        assert.equal(indexes.size, dataBlocks);
        assert.ok(dataBlocks > 100, `only ${dataBlocks} data blocks`);

        const image = (await ec2.send(new DescribeImagesCommand({ ImageIds: [ami?.id ?? ''] }))).Images?.[0];
        assert.equal(image?.Name, ami?.name);
        assert.equal(image?.State, 'available');
        const snapshot = (await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })))
          .Snapshots?.[0];
        const tags = Object.fromEntries((snapshot?.Tags ?? []).map((t) => [t.Key, t.Value]));
        assert.equal(tags.Name, 'debian-trixie-amd64');
        assert.match(tags[BUILD_TAG_KEY] ?? '', /^[0-9a-f]{8}$/);

        // What was sent, as serialized: moto ignores all of it but Name and Description.
        const sent = (await readFile(trace, 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { operation: string; body?: string });
        const register = new URLSearchParams(sent.find((s) => s.operation === 'RegisterImage')?.body ?? '');
        const expected: Record<string, string> = {
          Name: ami?.name ?? '',
          Architecture: 'x86_64',
          VirtualizationType: 'hvm',
          RootDeviceName: '/dev/xvda',
          'BlockDeviceMapping.1.DeviceName': '/dev/xvda',
          'BlockDeviceMapping.1.Ebs.SnapshotId': snapshotId,
          'BlockDeviceMapping.1.Ebs.VolumeSize': '2',
          'BlockDeviceMapping.1.Ebs.VolumeType': 'gp3',
          'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
          EnaSupport: 'true',
          SriovNetSupport: 'simple',
          BootMode: 'legacy-bios',
          ImdsSupport: 'v2.0',
          'TagSpecification.1.ResourceType': 'image',
        };
        for (const [k, v] of Object.entries(expected)) assert.equal(register.get(k), v, k);
        assert.match(register.get('Description') ?? '', /^Debian trixie \(amd64\), built /);
        const imageTags = new Map<string, string>();
        for (let i = 1; register.has(`TagSpecification.1.Tag.${i}.Key`); i++) {
          imageTags.set(
            register.get(`TagSpecification.1.Tag.${i}.Key`) ?? '',
            register.get(`TagSpecification.1.Tag.${i}.Value`) ?? '',
          );
        }
        assert.equal(imageTags.get('Name'), 'debian-trixie-amd64');
        assert.equal(imageTags.get(BUILD_TAG_KEY), tags[BUILD_TAG_KEY]);
        assert.doesNotMatch(JSON.stringify(sent), new RegExp(MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY));

        // The journal keeps both products; cleanup leaves a successful build alone.
        const [run] = await readJournals(join(stateDir, 'journal'), tags[BUILD_TAG_KEY]);
        assert.equal(run?.endStatus, 'success');
        const host = (x: { plugin: string }) => x.plugin === HOST_JOURNAL_PLUGIN;
        assert.deepEqual(
          run?.resources.filter((x) => !host(x)).map((x) => [x.kind, x.id, x.state]),
          [
            ['snapshot', snapshotId, 'kept'],
            ['image', ami?.id, 'kept'],
          ],
        );
        // The host's resources (workspace, loop device, child processes) the build released itself.
        assert.deepEqual(
          run?.resources.filter((x) => host(x) && x.state !== 'released').map((x) => [x.kind, x.id]),
          [],
        );
        const c = await cli(['cleanup'], env);
        assert.equal(c.status, 0, c.stderr);
        assert.match(c.stderr, /nothing to clean up/);
        assert.equal(
          (await ec2.send(new DescribeImagesCommand({ ImageIds: [ami?.id ?? ''] }))).Images?.length,
          1,
        );

        await ec2.send(new DeregisterImageCommand({ ImageId: ami?.id ?? '' }));
        await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
        await rm(imagePath, { force: true });
      } finally {
        await rm(workspace, { recursive: true, force: true });
      }
    },
  );

  describe('rollback and cleanup of the publishing steps', () => {
    let proxy: FaultProxy;
    let image = '';
    before(async () => {
      proxy = await startFaultProxy(moto.endpoint);
      // 40 MiB sparse image, data in a few blocks (enough for several PutSnapshotBlock calls).
      image = join(dir, 'small.raw');
      const fd = await open(image, 'w');
      await fd.truncate(40 * 2 ** 20);
      for (const index of [0, 1, 2, 7, 8, 40, 79])
        await fd.write(randomBytes(BLOCK), 0, BLOCK, index * BLOCK);
      await fd.close();
    });
    after(async () => {
      await proxy?.close();
    });

    const steps = [
      ['GetCallerIdentity', 'ec2/connect'],
      ['DescribeImages', 'ec2/check-ami-name'],
      ['StartSnapshot', 'ec2/upload-snapshot'],
      ['PutSnapshotBlock', 'ec2/upload-snapshot'],
      ['CompleteSnapshot', 'ec2/upload-snapshot'],
      ['DescribeSnapshots', 'ec2/upload-snapshot'],
      ['RegisterImage', 'ec2/register-image'],
      ['CreateTags', 'ec2/register-image'],
    ] as const;
    for (const [operation, task] of steps) {
      it(`a permanent error from ${operation} is rolled back: nothing left in moto`, async () => {
        const { ec2 } = awsClients(moto.endpoint);
        const before = await leftovers(ec2);
        const startsBefore = proxy.count('StartSnapshot', 'forwarded');
        proxy.setRules([
          { operation, fault: { status: 400, code: 'InvalidParameterValue', message: 'injected' } },
        ]);
        const runId = randomBytes(4).toString('hex');
        const result = await runPublishSteps({
          image,
          runId,
          endpoint: proxy.endpoint,
          journalDir: join(stateDir, 'journal'),
        });
        proxy.setRules([]);
        assert.equal(result.status, 'failed');
        assert.equal(result.failedTask, task);
        assert.ok(proxy.count(operation, 'error') >= 1, `${operation} got no fault`);
        assert.ok(result.rollback?.ok, JSON.stringify(result.rollback));
        const now = await leftovers(ec2);
        assert.deepEqual(now.snapshots, before.snapshots);
        assert.deepEqual(now.images, before.images);
        assert.deepEqual(now.taggedVolumes, []);
        // moto's StartSnapshot volumes, one per StartSnapshot it handled; nothing else.
        assert.equal(
          now.volumeCount - before.volumeCount,
          proxy.count('StartSnapshot', 'forwarded') - startsBefore,
        );
        // A run that failed before creating anything journaled nothing (no file at all).
        const [run] = await readJournals(join(stateDir, 'journal'), runId);
        if (task === 'ec2/connect' || task === 'ec2/check-ami-name') assert.equal(run, undefined);
        else {
          assert.equal(run?.endStatus, 'failed');
          assert.ok(run?.resources.length);
          for (const r of run?.resources ?? []) assert.equal(r.state, 'released', `${r.kind} ${r.id ?? ''}`);
        }
      });
    }

    it('Ctrl-C mid-upload (the build signal aborted) deletes the started snapshot', async () => {
      const { ec2 } = awsClients(moto.endpoint);
      const before = await leftovers(ec2);
      proxy.setRules([{ operation: 'PutSnapshotBlock', fault: 'delay', delayMs: 2000 }]);
      const controller = new AbortController();
      const runId = randomBytes(4).toString('hex');
      const result = await runPublishSteps({
        image,
        runId,
        endpoint: proxy.endpoint,
        journalDir: join(stateDir, 'journal'),
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'log' && /snapshot snap-\S+ started in/.test(e.message))
            controller.abort(new Error('SIGINT'));
        },
      });
      proxy.setRules([]);
      assert.equal(result.status, 'interrupted');
      assert.equal(result.failedTask, 'ec2/upload-snapshot');
      assert.ok(result.rollback?.ok, JSON.stringify(result.rollback));
      assert.deepEqual((await leftovers(ec2)).snapshots, before.snapshots);
      const [run] = await readJournals(join(stateDir, 'journal'), runId);
      assert.equal(run?.endStatus, 'interrupted');
      assert.deepEqual(
        run?.resources.map((r) => r.state),
        ['released'],
      );
    });

    it('ec2_publish copies to other regions, shares, writes the ids; a failed copy rolls every AMI back', async () => {
      const { ec2 } = awsClients(moto.endpoint);
      const regional = (region: string) =>
        new EC2Client({
          endpoint: moto.endpoint,
          region,
          credentials: {
            accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
            secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
          },
        });
      const idsFile = join(dir, 'amis.json');
      const publish = {
        regions: ['eu-west-1', 'ap-southeast-2'],
        public: true,
        accounts: ['111122223333'],
        deprecate_after_days: 365,
        manifest_url: idsFile,
      };
      const runId = randomBytes(4).toString('hex');
      const events: string[] = [];
      const result = await runPublishSteps({
        image,
        runId,
        endpoint: proxy.endpoint,
        journalDir: join(stateDir, 'journal'),
        publish,
        onEvent: (e) => {
          if (e.type === 'log') events.push(`${e.level}: ${e.message}`);
        },
      });
      assert.equal(result.status, 'success', String(result.error));
      const amis = result.artifacts.filter((a) => a.kind === 'ami');
      assert.deepEqual(amis.map((a) => a.region).sort(), ['ap-southeast-2', 'eu-west-1', 'us-east-1']);
      const ids = JSON.parse(await readFile(idsFile, 'utf8')) as Record<string, string>;
      for (const a of amis) {
        assert.equal(ids[a.region ?? ''], a.id);
        const client = regional(a.region ?? '');
        const image = (await client.send(new DescribeImagesCommand({ ImageIds: [a.id ?? ''] }))).Images?.[0];
        assert.equal(image?.State, 'available');
        const perms = await client.send(
          new DescribeImageAttributeCommand({ ImageId: a.id ?? '', Attribute: 'launchPermission' }),
        );
        assert.deepEqual((perms.LaunchPermissions ?? []).map((p) => p.Group ?? p.UserId).sort(), [
          '111122223333',
          'all',
        ]);
      }
      // moto has no EnableImageDeprecation: said in the log, not a failure.
      assert.ok(events.some((e) => /warn: .* does not implement EnableImageDeprecation/.test(e)));
      const [run] = await readJournals(join(stateDir, 'journal'), runId);
      assert.deepEqual(run?.resources.map((r) => `${r.kind} ${r.region ?? ''} ${r.state}`).sort(), [
        'image ap-southeast-2 kept',
        'image eu-west-1 kept',
        'image us-east-1 kept',
        'snapshot us-east-1 kept',
      ]);
      for (const a of amis)
        await regional(a.region ?? '').send(new DeregisterImageCommand({ ImageId: a.id ?? '' }));
      const snap = result.artifacts.find((a) => a.kind === 'snapshot' && a.region === 'us-east-1');
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snap?.id ?? '' }));

      // One copy refused: the other copy, the AMI and the snapshot are all rolled back.
      const before = await leftovers(ec2);
      const copiesBefore = await leftovers(regional('eu-west-1'));
      let copies = 0;
      proxy.setRules([
        {
          operation: 'CopyImage',
          fault: { status: 400, code: 'InvalidParameterValue', message: 'injected' },
          times: 1,
        },
      ]);
      const failed = await runPublishSteps({
        image,
        runId: randomBytes(4).toString('hex'),
        endpoint: proxy.endpoint,
        journalDir: join(stateDir, 'journal'),
        publish: { ...publish, manifest_url: join(dir, 'amis-failed.json') },
        onEvent: (e) => {
          if (e.type === 'log' && /copying .* to /.test(e.message)) copies++;
        },
      });
      proxy.setRules([]);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.failedTask, 'ec2_publish/publish-image');
      assert.ok(failed.rollback?.ok, JSON.stringify(failed.rollback));
      assert.equal(copies, 1, 'the other copy was made (and must be rolled back)');
      assert.deepEqual((await leftovers(ec2)).images, before.images);
      assert.deepEqual((await leftovers(ec2)).snapshots, before.snapshots);
      assert.deepEqual((await leftovers(regional('eu-west-1'))).images, copiesBefore.images);
      assert.deepEqual((await leftovers(regional('ap-southeast-2'))).images, []);
    });

    it(
      'a publishing process killed mid-upload leaves a snapshot that `bootstrap cleanup` deletes',
      { timeout: 120_000 },
      async () => {
        const { ec2 } = awsClients(moto.endpoint);
        const before = await leftovers(ec2);
        // Slow blocks, so the kill lands between StartSnapshot and CompleteSnapshot.
        proxy.setRules([{ operation: 'PutSnapshotBlock', fault: 'delay', delayMs: 3000 }]);
        const runId = randomBytes(4).toString('hex');
        const journal = join(stateDir, 'journal');
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', HARNESS, image, runId, proxy.endpoint, journal],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        try {
          const deadline = Date.now() + 60_000;
          for (;;) {
            const [run] = await readJournals(journal, runId);
            if (run?.resources.some((r) => r.kind === 'snapshot' && r.id)) break;
            assert.ok(Date.now() < deadline, 'the snapshot never reached the journal');
            await new Promise((r) => setTimeout(r, 100));
          }
          child.kill('SIGKILL');
          await new Promise((r) => child.once('exit', r));
        } finally {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
        proxy.setRules([]);
        const [killed] = await readJournals(journal, runId);
        assert.equal(killed?.endStatus, undefined);
        const snapshotId = killed?.resources.find((r) => r.kind === 'snapshot')?.id ?? '';
        assert.ok(
          (await leftovers(ec2)).snapshots.includes(snapshotId),
          'the killed run left no snapshot to clean',
        );

        const env = moto.env({ BOOTSTRAP_STATE_DIR: stateDir });
        const dry = await cli(['cleanup', '--run', runId, '--dry-run'], env);
        assert.equal(dry.status, 0, dry.stderr);
        assert.match(dry.stdout, new RegExp(`${runId} would delete snapshot ${snapshotId}`));
        assert.ok((await leftovers(ec2)).snapshots.includes(snapshotId));

        const clean = await cli(['cleanup', '--run', runId], env);
        assert.equal(clean.status, 0, clean.stderr);
        assert.match(clean.stdout, new RegExp(`${runId} deleted snapshot ${snapshotId}`));
        const now = await leftovers(ec2);
        assert.deepEqual(now.snapshots, before.snapshots);
        assert.deepEqual(now.images, before.images);
        const [cleaned] = await readJournals(journal, runId);
        assert.equal(cleaned?.endStatus, 'cleaned');
        assert.match((await cli(['cleanup', '--run', runId], env)).stderr, /nothing to clean up/);
      },
    );
  });
});
