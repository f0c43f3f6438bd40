import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionInfo } from '../../../src/api/build-state.js';
import { createRecordingFs, createRecordingRunner } from '../../../src/runner/index.js';
import {
  MountTable,
  mountArgv,
  parseLeftoverMounts,
  partitionMounts,
  specialMounts,
  withMounts,
} from '../../../src/volume/mounts.js';
import { BuildError } from '../../../src/api/task.js';
import { parseProcFilesystems } from '../../../src/volume/host-filesystems.js';
import { IllegalTransitionError } from '../../../src/volume/state-machine.js';

const part = (
  name: string,
  mountpoint: string | undefined,
  extra: Partial<PartitionInfo> = {},
): PartitionInfo => ({
  name,
  number: 1,
  startBytes: 0,
  sizeBytes: 0,
  filesystem: 'ext4',
  device: `/dev/loop0p-${name}`,
  ...(mountpoint !== undefined ? { mountpoint } : {}),
  ...extra,
});

describe('mount order', () => {
  it('root first, then shortest mountpoint first; swap and bios_grub are not mounted', () => {
    const entries = partitionMounts('/ws/root', [
      part('bios_grub', undefined, { filesystem: undefined as never }),
      part('efi', '/boot/efi', { filesystem: 'vfat' }),
      part('boot', '/boot'),
      part('swap', undefined, { filesystem: 'swap' }),
      part('root', '/', { mountopts: ['noatime', 'errors=remount-ro'] }),
      part('var', '/var', { filesystem: 'xfs' }),
    ]);
    assert.deepEqual(
      entries.map((e) => mountArgv(e).join(' ')),
      [
        'mount --types ext4 --options noatime,errors=remount-ro /dev/loop0p-root /ws/root',
        'mount --types xfs /dev/loop0p-var /ws/root/var',
        'mount --types ext4 /dev/loop0p-boot /ws/root/boot',
        'mount --types vfat /dev/loop0p-efi /ws/root/boot/efi',
      ],
    );
  });

  it('specials: /dev and /dev/pts are binds, proc and sysfs are typed', () => {
    assert.deepEqual(
      specialMounts('/ws/root').map((e) => mountArgv(e).join(' ')),
      [
        'mount --bind /dev /ws/root/dev',
        'mount --types proc proc /ws/root/proc',
        'mount --types sysfs sysfs /ws/root/sys',
        'mount --bind /dev/pts /ws/root/dev/pts',
      ],
    );
  });
});

describe('MountTable', () => {
  it('unmounts longest path first, and a second unmountAll does nothing', async () => {
    const runner = createRecordingRunner({ dryRun: false });
    const fs = createRecordingFs();
    const table = new MountTable({ runner, fs });
    await table.mountAll(specialMounts('/ws/root'));
    assert.deepEqual(
      fs.operations.map((o) => o.op + ' ' + o.path),
      ['mkdir /ws/root/dev', 'mkdir /ws/root/proc', 'mkdir /ws/root/sys', 'mkdir /ws/root/dev/pts'],
    );
    runner.calls.length = 0;
    await table.unmountAll();
    await table.unmountAll();
    assert.deepEqual(
      runner.lines(),
      ['umount /ws/root/dev/pts', 'umount /ws/root/proc', 'umount /ws/root/dev', 'umount /ws/root/sys'].sort(
        (a, b) => b.length - a.length,
      ),
    );
    assert.equal(runner.lines()[0], 'umount /ws/root/dev/pts', '/dev/pts before /dev');
    assert.deepEqual(table.mounted, []);
  });

  it('mounting the same target twice is an illegal transition', async () => {
    const table = new MountTable({ runner: createRecordingRunner(), fs: createRecordingFs() });
    await table.mount({ source: 'proc', target: '/r/proc', fstype: 'proc' });
    await assert.rejects(
      () => table.mount({ source: 'proc', target: '/r/proc', fstype: 'proc' }),
      IllegalTransitionError,
    );
  });

  it('retries "target is busy", then succeeds', async () => {
    let busy = 2;
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        argv[0] === 'umount' && busy-- > 0
          ? { exitCode: 32, stderr: 'umount: /r: target is busy.' }
          : undefined,
    });
    const logs: string[] = [];
    const table = new MountTable({
      runner,
      fs: createRecordingFs(),
      umountDelaysMs: [1, 1, 1],
      log: (l, m) => logs.push(`${l}: ${m}`),
    });
    await table.mount({ source: '/dev/x', target: '/r' });
    await table.unmountAll();
    assert.deepEqual(runner.lines().slice(1), ['umount /r', 'umount /r', 'umount /r']);
    assert.equal(logs.length, 2);
    assert.deepEqual(table.mounted, []);
  });

  it('falls back to umount --lazy with a warning when it stays busy', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        argv.length === 2 && argv[0] === 'umount'
          ? { exitCode: 32, stderr: 'umount: /r: target is busy.' }
          : undefined,
    });
    const logs: string[] = [];
    const table = new MountTable({
      runner,
      fs: createRecordingFs(),
      umountDelaysMs: [1],
      log: (l, m) => logs.push(`${l}: ${m}`),
    });
    await table.mount({ source: '/dev/x', target: '/r' });
    await table.unmountAll();
    assert.deepEqual(runner.lines().slice(1), ['umount /r', 'umount /r', 'umount --lazy /r']);
    assert.match(logs.at(-1) ?? '', /^warn: .*umount --lazy/);
  });

  it('"not mounted" counts as unmounted; other failures propagate', async () => {
    const gone = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        argv[0] === 'umount' ? { exitCode: 32, stderr: 'umount: /r: not mounted.' } : undefined,
    });
    const t1 = new MountTable({ runner: gone, fs: createRecordingFs() });
    await t1.mount({ source: '/dev/x', target: '/r' });
    await t1.unmountAll();
    assert.deepEqual(t1.mounted, []);

    const broken = createRecordingRunner({
      dryRun: false,
      results: (argv) =>
        argv[0] === 'umount' ? { exitCode: 1, stderr: 'umount: /r: permission denied' } : undefined,
    });
    const t2 = new MountTable({ runner: broken, fs: createRecordingFs() });
    await t2.mount({ source: '/dev/x', target: '/r' });
    await assert.rejects(() => t2.unmountAll(), /permission denied/);
    assert.deepEqual(t2.mounted, ['/r'], 'still tracked, so a later undo tries again');
  });

  it('withMounts unmounts even when the body throws', async () => {
    const runner = createRecordingRunner({ dryRun: false });
    const table = new MountTable({ runner, fs: createRecordingFs() });
    await assert.rejects(
      () =>
        withMounts(table, specialMounts('/r'), async () => {
          throw new Error('chroot step failed');
        }),
      /chroot step failed/,
    );
    assert.deepEqual(table.mounted, []);
    assert.equal(runner.lines().filter((l) => l.startsWith('umount')).length, 4);
  });
});

describe('host filesystem support', () => {
  it('a mount of an unsupported filesystem says so, with a hint', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: () => ({ exitCode: 32, stderr: "mount: /r/boot/efi: unknown filesystem type 'vfat'." }),
    });
    const table = new MountTable({ runner, fs: createRecordingFs() });
    await assert.rejects(
      () => table.mount({ source: '/dev/loop0p2', target: '/r/boot/efi', fstype: 'vfat' }),
      (e: unknown) =>
        e instanceof BuildError && /no vfat support/.test(e.message) && /modprobe vfat/.test(e.hint ?? ''),
    );
    assert.deepEqual(table.mounted, []);
  });

  it('parseProcFilesystems', () => {
    const fss = parseProcFilesystems('nodev\tsysfs\nnodev\tproc\n\text4\n\txfs\n');
    assert.deepEqual([...fss], ['sysfs', 'proc', 'ext4', 'xfs']);
  });
});

describe('parseLeftoverMounts', () => {
  it('finds mounts at or under a prefix, longest first, decoding escapes', () => {
    const info = [
      '22 1 0:21 / /proc rw,nosuid - proc proc rw',
      '100 22 7:1 / /tmp/ws\\040x/root rw - ext4 /dev/loop0p2 rw',
      '101 100 7:2 / /tmp/ws\\040x/root/boot/efi rw - vfat /dev/loop0p1 rw',
      '102 100 0:5 / /tmp/ws\\040x/root/dev rw - devtmpfs udev rw',
      '103 1 0:5 / /tmp/ws\\040xy rw - tmpfs t rw',
      '',
    ].join('\n');
    assert.deepEqual(parseLeftoverMounts(info, '/tmp/ws x/'), [
      '/tmp/ws x/root/boot/efi',
      '/tmp/ws x/root/dev',
      '/tmp/ws x/root',
    ]);
  });
});
