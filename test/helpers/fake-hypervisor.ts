/**
 * Plays EC2's hypervisor for EBS-backed build tests on a host that is not an EC2 instance: it watches
 * moto (DescribeVolumes) and, when a volume is attached to the test's instance, backs it with a sparse
 * file of the volume's size on a loop device and makes that appear the way the guest kernel would
 * show it, in a temporary /dev and /sys tree the build is pointed at (BOOTSTRAP_EBS_DEV_ROOT,
 * BOOTSTRAP_EBS_SYS_ROOT; there is no udev here, and the real /dev is shared with other builds):
 *   - `xen`:  /dev/xvdX, a symlink to the loop device, for a volume attached as /dev/sdX;
 *   - `nvme`: /dev/nvmeNn1 (a symlink to the loop device) and /sys/block/nvmeNn1/device/serial
 *             holding the volume id without its dash, as EBS on Nitro does.
 * When the attachment goes away it removes them, detaches the loop device and deletes the file.
 * `stop()` tears down whatever is left, so a failing test leaks no loop device.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeVolumesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { MOTO_CREDENTIALS } from './moto.js';

const run = promisify(execFile);

export type DeviceNaming = 'xen' | 'nvme';

interface Backed {
  readonly volumeId: string;
  readonly file: string;
  readonly loop: string;
  /** What was made to appear: the /dev entry and, for NVMe, the /sys/block directory. */
  readonly devEntry: string;
  readonly sysEntry?: string;
}

export interface FakeHypervisor {
  readonly devRoot: string;
  readonly sysRoot: string;
  readonly lockDir: string;
  /** Environment for the build: where its /dev, /sys and device-name locks are. */
  env(): Record<string, string>;
  /** Volume id -> loop device, for the volumes attached now. */
  attached(): ReadonlyMap<string, string>;
  /** Every loop device this hypervisor has created, attached or not. */
  readonly loopsEverCreated: readonly string[];
  /**
   * `losetup -a` lines of loop devices still backed by this hypervisor's files (by backing file, not
   * by number: other builds on the host reuse freed loop numbers at once). Empty after stop().
   */
  loopsLeft(): string[];
  /** How volumes attached from now on appear. */
  useNaming(naming: DeviceNaming): void;
  /** Names that appeared under the /dev root so far (`xvdf`, `nvme1n1`...). */
  readonly namesShown: readonly string[];
  stop(): Promise<void>;
}

export async function startFakeHypervisor(opts: {
  endpoint: string;
  instanceId: string;
  naming: DeviceNaming;
  region?: string;
  pollMs?: number;
}): Promise<FakeHypervisor> {
  const root = await mkdtemp(join(tmpdir(), 'fake-hypervisor-'));
  const devRoot = join(root, 'dev');
  const sysRoot = join(root, 'sys');
  const lockDir = join(root, 'lock');
  const files = join(root, 'volumes');
  for (const d of [devRoot, join(sysRoot, 'block'), lockDir, files]) await mkdir(d, { recursive: true });
  const ec2 = new EC2Client({
    region: opts.region ?? MOTO_CREDENTIALS.AWS_REGION,
    endpoint: opts.endpoint,
    credentials: {
      accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  });
  const backed = new Map<string, Backed>();
  const loopsEverCreated: string[] = [];
  let nextNvme = 1; // nvme0n1 is the instance's root volume on Nitro
  let stopped = false;
  let naming = opts.naming;
  const namesShown: string[] = [];

  async function plug(volumeId: string, sizeGiB: number, device: string): Promise<void> {
    const file = join(files, `${volumeId}.raw`);
    await writeFile(file, '');
    await truncate(file, sizeGiB * 2 ** 30);
    const { stdout } = await run('losetup', ['--find', '--show', '--partscan', file]);
    const loop = stdout.trim();
    loopsEverCreated.push(loop);
    if (naming === 'xen') {
      const devEntry = join(devRoot, device.replace(/^\/dev\/sd/, 'xvd'));
      await symlink(loop, devEntry);
      namesShown.push(basename(devEntry));
      backed.set(volumeId, { volumeId, file, loop, devEntry });
    } else {
      const name = `nvme${nextNvme++}n1`;
      const sysEntry = join(sysRoot, 'block', name);
      await mkdir(join(sysEntry, 'device'), { recursive: true });
      // The kernel pads the 20-byte NVMe serial with spaces.
      await writeFile(join(sysEntry, 'device', 'serial'), `${volumeId.replace('-', '').padEnd(20)}\n`);
      const devEntry = join(devRoot, name);
      await symlink(loop, devEntry);
      namesShown.push(name);
      backed.set(volumeId, { volumeId, file, loop, devEntry, sysEntry });
    }
  }

  async function unplug(b: Backed): Promise<void> {
    backed.delete(b.volumeId);
    await rm(b.devEntry, { force: true });
    if (b.sysEntry) await rm(b.sysEntry, { recursive: true, force: true });
    // A real hypervisor would yank the disk; a loop device still mounted only gets autoclear, so
    // unmount what is mounted from it first (only ever this hypervisor's own loop devices).
    const { stdout } = await run('lsblk', ['-rn', '-o', 'MOUNTPOINT', b.loop]).catch(() => ({ stdout: '' }));
    for (const target of stdout.split('\n').filter(Boolean).reverse()) {
      await run('umount', ['-l', target]).catch(() => undefined);
    }
    await run('losetup', ['--detach', b.loop]).catch(() => undefined);
    await rm(b.file, { force: true });
  }

  async function tick(): Promise<void> {
    const out = await ec2.send(new DescribeVolumesCommand({}));
    const now = new Map<string, { size: number; device: string }>();
    for (const v of out.Volumes ?? []) {
      const a = v.Attachments?.find((x) => x.InstanceId === opts.instanceId && x.State === 'attached');
      // The instance's root volume (/dev/sda1 from RunInstances) is the host's own disk: not played.
      if (v.VolumeId && a?.Device && !/^\/dev\/(sd|xvd)a/.test(a.Device))
        now.set(v.VolumeId, { size: v.Size ?? 1, device: a.Device });
    }
    for (const [id, v] of now) if (!backed.has(id)) await plug(id, v.size, v.device);
    for (const b of [...backed.values()]) if (!now.has(b.volumeId)) await unplug(b);
  }

  let loop: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    loop = loop.then(() => (stopped ? undefined : tick().catch(() => undefined)));
  }, opts.pollMs ?? 100);

  return {
    devRoot,
    sysRoot,
    lockDir,
    loopsEverCreated,
    env: () => ({
      BOOTSTRAP_EBS_DEV_ROOT: devRoot,
      BOOTSTRAP_EBS_SYS_ROOT: sysRoot,
      BOOTSTRAP_EBS_LOCK_DIR: lockDir,
    }),
    attached: () => new Map([...backed.values()].map((b) => [b.volumeId, b.loop])),
    namesShown,
    useNaming: (n) => {
      naming = n;
    },
    loopsLeft: () =>
      execFileSync('losetup', ['-a'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(files)),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await loop;
      for (const b of [...backed.values()]) await unplug(b);
      ec2.destroy();
      await rm(root, { recursive: true, force: true });
    },
  };
}
