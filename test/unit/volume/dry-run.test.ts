import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createRecordingFs, createRecordingRunner } from '../../../src/runner/index.js';
import { Formatter } from '../../../src/volume/format.js';
import { ImageFile } from '../../../src/volume/image-file.js';
import { planLayout } from '../../../src/volume/layout.js';
import { LoopDevice } from '../../../src/volume/loop-device.js';
import { MountTable, partitionMounts } from '../../../src/volume/mounts.js';
import { PartitionTable } from '../../../src/volume/partition-table.js';

it('a dry run goes through the whole volume flow on dryRunResult answers alone', async () => {
  const runner = createRecordingRunner();
  const fs = createRecordingFs();
  const layout = planLayout(
    { type: 'gpt', root: { filesystem: 'ext4', size: '2GiB' } },
    { bootloader: 'grub', bootMode: 'hybrid' },
  );
  const image = new ImageFile('/ws/disk.raw', layout.sizeBytes, runner, fs);
  await image.create();
  const loop = new LoopDevice(image.path, { runner, fs });
  await loop.attach();
  const written = await new PartitionTable(layout, runner).write(loop.device);
  await loop.rescan(written.map((w) => w.number));
  const formatter = new Formatter(runner);
  const partitions = [];
  for (const p of layout.partitions) {
    const device = loop.partition(p.number);
    const uuid = await formatter.format({ ...p, device });
    partitions.push({ ...p, device, ...(uuid ? { uuid } : {}) });
  }
  const mounts = new MountTable({ runner, fs });
  await mounts.mountAll(partitionMounts('/ws/root', partitions));
  await mounts.unmountAll();
  await loop.detach();
  await image.delete();
  assert.deepEqual(runner.lines(), [
    `truncate --size=${2 * 1024 ** 3 + 127 * 1024 ** 2} /ws/disk.raw`,
    'losetup --find --show --partscan /ws/disk.raw',
    'sfdisk --quiet --wipe always --wipe-partitions always /dev/loop0',
    'sfdisk --json /dev/loop0',
    'partx -u /dev/loop0',
    'mkfs.vfat -F 32 -n EFI /dev/loop0p2',
    'blkid -p -s UUID -o value /dev/loop0p2',
    'mke2fs -V',
    'mkfs.ext4 -q -L root /dev/loop0p3',
    'blkid -p -s UUID -o value /dev/loop0p3',
    'mount --types ext4 /dev/loop0p3 /ws/root',
    'mount --types vfat /dev/loop0p2 /ws/root/boot/efi',
    'umount /ws/root/boot/efi',
    'umount /ws/root',
    'losetup --detach /dev/loop0',
  ]);
  assert.equal(partitions[2]?.uuid, '00000000-0000-4000-8000-000000000000');
});
