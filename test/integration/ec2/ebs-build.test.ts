/**
 * The `ebs` backing end to end, through the CLI: moto as AWS, a local IMDSv2 service on loopback
 * naming a moto instance as the build host, and the fake hypervisor turning AttachVolume into a loop
 * device under /dev/xvdf (in a temporary /dev the build is pointed at). A small image (minbase, 1 GiB
 * root) is built on the volume, snapshotted and registered, and the volume deleted; again with the
 * volume shown as NVMe (found by the volume id in its serial). Then builds
 * interrupted with SIGINT in each AWS step (create-volume, attach-volume, snapshot-volume,
 * register-image), and one SIGKILLed with the volume attached followed by `bootstrap cleanup`, leave
 * no volume, snapshot or AMI in moto and no loop device. Needs root, loop devices, moto and the
 * Debian mirror; 1m45s to 3 min with a warm bootstrap cache (five whole builds), depending on load.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { startImdsServer, type ImdsServer } from '../../../src/boottest/imds-server.js';
import { startFakeHypervisor, type FakeHypervisor } from '../../helpers/fake-hypervisor.js';
import { MOTO_CREDENTIALS, motoSkip, startMoto, type Moto } from '../../helpers/moto.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const skip =
  motoSkip || (!isRoot || !existsSync('/dev/loop-control') ? 'needs root and loop devices' : false);
const BUILD_TAG = 'debian-image-bootstrap:run';

const MANIFEST = `name: it-ebs-{system.release}
tags:
  Name: it-ebs
provider:
  name: ec2
  virtualization: hvm
  description: EBS backing integration test
bootstrapper:
  workspace: /nonexistent
  variant: minbase
system:
  release: bookworm
  architecture: amd64
  bootloader: grub
  charmap: UTF-8
  locale: C
  timezone: UTC
volume:
  backing: ebs
  partitions:
    type: gpt
    root:
      filesystem: ext4
      size: 1GiB
`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

describe('ebs backing, end to end on a played EC2 host', { skip }, () => {
  let moto: Moto;
  let imds: ImdsServer;
  let hypervisor: FakeHypervisor;
  let ec2: EC2Client;
  let work = '';
  let manifest = '';
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    work = mkdtempSync('/var/tmp/it-ebs-');
    manifest = join(work, 'ebs.yml');
    writeFileSync(manifest, MANIFEST);
    moto = await startMoto();
    ec2 = new EC2Client({
      region: MOTO_CREDENTIALS.AWS_REGION,
      endpoint: moto.endpoint,
      credentials: {
        accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
        secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
      },
    });
    const instance = (
      await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 }))
    ).Instances?.[0];
    const zone = instance?.Placement?.AvailabilityZone ?? 'us-east-1a';
    imds = await startImdsServer({
      requireV2: true,
      tree: {
        'meta-data': {
          'instance-id': instance?.InstanceId ?? '',
          placement: { region: zone.slice(0, -1), 'availability-zone': zone },
        },
      },
    });
    hypervisor = await startFakeHypervisor({
      endpoint: moto.endpoint,
      instanceId: instance?.InstanceId ?? '',
      naming: 'xen',
    });
    env = moto.env({
      ...hypervisor.env(),
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      // The journal of this test's runs, apart from real builds on this host.
      BOOTSTRAP_STATE_DIR: join(work, 'state'),
    });
  });

  /** Stops the played host, once: the last test checks what it leaves, `after` makes sure it ran. */
  let stopping: Promise<{ loops: string[]; mounted: string[] }> | undefined;
  const stopHost = () =>
    (stopping ??= (async () => {
      await hypervisor?.stop();
      ec2?.destroy();
      await imds?.close();
      await moto?.stop();
      const loops = hypervisor ? hypervisor.loopsLeft() : [];
      const mounted = execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' })
        .split('\n')
        .filter((m) => work && m.startsWith(work));
      return { loops, mounted };
    })());

  after(async () => {
    const { mounted } = await stopHost();
    // Never remove a directory something is still mounted in.
    if (work && mounted.length === 0) rmSync(work, { recursive: true, force: true });
  });

  /** Runs the CLI; `kill` sends a signal once a line of output matches. */
  function bootstrap(
    args: string[],
    kill?: { on: RegExp; signal: NodeJS.Signals; delayMs?: number },
  ): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let sent = false;
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (kill && !sent && kill.on.test(out)) {
          sent = true;
          setTimeout(() => child.kill(kill.signal), kill.delayMs ?? 0);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('close', (code, signal) => resolve({ code, signal, out }));
    });
  }

  const build = (ws: string, extra: string[] = []) => [
    manifest,
    '--progress',
    'plain',
    '--log',
    join(ws, 'logs'),
    '--set',
    `bootstrapper.workspace=${ws}`,
    // An empty cache of its own: the first build bootstraps and downloads everything, as on a new
    // machine, into the 1 GiB volume (the downloads go to the build's archive on the host, not the
    // volume); the later builds of this file reuse what it cached.
    '--set',
    `bootstrapper.cache_dir=${join(work, 'cache')}`,
    // One AMI name per build: ec2/check-ami-name refuses a name that exists.
    '--set',
    `name=it-${basename(ws)}`,
    ...extra,
  ];

  async function tagged(runId: string) {
    const filter = [{ Name: `tag:${BUILD_TAG}`, Values: [runId] }];
    const [v, s, i] = await Promise.all([
      ec2.send(new DescribeVolumesCommand({ Filters: filter })),
      ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: filter })),
      ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: filter })),
    ]);
    return {
      volumes: (v.Volumes ?? []).map((x) => x.VolumeId),
      snapshots: (s.Snapshots ?? []).map((x) => x.SnapshotId),
      images: (i.Images ?? []).map((x) => x.ImageId),
    };
  }

  /** moto ignores RegisterImage's tags (aws.md section 5), so AMIs are also looked for by name. */
  async function imagesNamed(name: string): Promise<string[]> {
    const out = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }),
    );
    return (out.Images ?? []).flatMap((x) => (x.ImageId ? [x.ImageId] : []));
  }

  const journals = (): string[] =>
    existsSync(join(work, 'state', 'journal')) ? readdirSync(join(work, 'state', 'journal')) : [];
  /** The run id of the build `run` started: the journal file it created. */
  async function runIdOf(run: () => Promise<Run>): Promise<{ r: Run; runId: string }> {
    const before = new Set(journals());
    const r = await run();
    const created = journals().filter((f) => !before.has(f));
    return { r, runId: created.length === 1 ? (created[0] ?? '').replace(/\.jsonl$/, '') : '' };
  }
  /** The build's log (--log <dir> writes one file there). */
  const logOf = (dir: string): string =>
    readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');

  it('builds on the volume, snapshots, registers and deletes the volume', async () => {
    const ws = join(work, 'ws-ok');
    const report = join(work, 'report.json');
    const { r, runId } = await runIdOf(() => bootstrap([...build(ws), '--report', report]));
    assert.equal(r.code, 0, r.out.slice(-4000));
    assert.ok(runId, 'the run journaled its resources');
    const rep = JSON.parse(readFileSync(report, 'utf8')) as {
      status: string;
      artifacts: { kind: string; id?: string }[];
    };
    assert.equal(rep.status, 'success');
    const ami = rep.artifacts.find((a) => a.kind === 'ami')?.id;
    const snapshot = rep.artifacts.find((a) => a.kind === 'snapshot')?.id;
    assert.ok(ami && snapshot, JSON.stringify(rep.artifacts));
    assert.match(logOf(join(ws, 'logs')), /attached as \/dev\/sdf: \/dev\/loop\d+/);
    const left = await tagged(runId);
    assert.deepEqual(left.volumes, [], 'the build volume is deleted');
    assert.deepEqual(left.snapshots, [snapshot]);
    // moto ignores RegisterImage's TagSpecifications (aws.md section 5): look the AMI up by id.
    const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [ami] }));
    assert.equal(images.Images?.[0]?.Name, 'it-ws-ok');
    assert.deepEqual(hypervisor.loopsLeft(), []);
    assert.equal(hypervisor.attached().size, 0, 'nothing attached');
    assert.deepEqual(hypervisor.namesShown, ['xvdf']);
  });

  it('finds the volume as an NVMe disk by its serial (Nitro naming) and completes', async () => {
    hypervisor.useNaming('nvme');
    try {
      const ws = join(work, 'ws-nvme');
      const { r, runId } = await runIdOf(() => bootstrap(build(ws)));
      assert.equal(r.code, 0, r.out.slice(-4000));
      // Only an NVMe entry appeared (no /dev/xvdf): discovery went by the serial.
      assert.deepEqual(hypervisor.namesShown.slice(1), ['nvme1n1']);
      assert.match(logOf(join(ws, 'logs')), /attached as \/dev\/sdf: \/dev\/loop\d+/);
      const left = await tagged(runId);
      assert.deepEqual(left.volumes, []);
      assert.equal(left.snapshots.length, 1);
      assert.equal((await imagesNamed('it-ws-nvme')).length, 1);
      assert.deepEqual(hypervisor.loopsLeft(), []);
    } finally {
      hypervisor.useNaming('xen');
    }
  });

  // The steps after the build (snapshot-volume, register-image) need a whole build each, ~45 s warm.
  for (const step of ['create-volume', 'attach-volume', 'snapshot-volume', 'register-image'] as const) {
    it(`SIGINT in ec2/${step} rolls back: no volume, snapshot or AMI`, async () => {
      const { r, runId } = await runIdOf(() =>
        bootstrap(build(join(work, `ws-int-${step}`)), {
          on: new RegExp(`ec2/${step}`),
          signal: 'SIGINT',
        }),
      );
      assert.notEqual(r.code, 0, r.out.slice(-3000));
      assert.match(r.out, /rollback complete/, r.out.slice(-3000));
      // No journal at all when the interrupt came before CreateVolume was even intended.
      assert.deepEqual(await imagesNamed(`it-ws-int-${step}`), []);
      if (runId) assert.deepEqual(await tagged(runId), { volumes: [], snapshots: [], images: [] });
      await new Promise((res) => setTimeout(res, 300));
      assert.deepEqual(hypervisor.loopsLeft(), []);
      assert.equal(hypervisor.attached().size, 0);
    });
  }

  it('SIGKILL with the volume attached, then bootstrap cleanup: nothing left', async () => {
    // Killed as soon as attach-volume reports done: the volume is attached, nothing is mounted yet
    // (a SIGKILL later would leave host mounts, which `bootstrap cleanup` does not handle).
    const { r, runId } = await runIdOf(() =>
      bootstrap(build(join(work, 'ws-kill')), { on: /ok ec2\/attach-volume/, signal: 'SIGKILL' }),
    );
    assert.equal(r.signal, 'SIGKILL', r.out.slice(-2000));
    assert.ok(runId);
    assert.equal((await tagged(runId)).volumes.length, 1, 'the volume outlived the build');
    assert.deepEqual(await imagesNamed('it-ws-kill'), []);
    const c = await bootstrap(['cleanup', '--run', runId]);
    assert.equal(c.code, 0, c.out);
    assert.deepEqual(await tagged(runId), { volumes: [], snapshots: [], images: [] });
    await new Promise((res) => setTimeout(res, 300));
    assert.deepEqual(hypervisor.loopsLeft(), []);
    assert.equal(hypervisor.attached().size, 0);
  });

  // A test, not an `after` hook, so the summary counts it: a failing hook made the run exit 1 while the
  // summary said `# fail 0` (issue 17, item 7).
  it('leaves no loop device and nothing mounted', async () => {
    const { loops, mounted } = await stopHost();
    assert.deepEqual(loops, [], 'no loop device left');
    assert.deepEqual(mounted, [], `nothing mounted under ${work}`);
  });
});
