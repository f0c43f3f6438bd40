/** Partitioning and formatting (bootstrap-vz's PartitionVolume, MapPartitions and Format). */
import { BuildError, defineTask } from '../../api/index.js';
import { Formatter } from '../../volume/format.js';
import { partitionDevice } from '../../volume/loop-device.js';
import { settlePartitionNodes } from '../../volume/partition-nodes.js';
import { PartitionTable } from '../../volume/partition-table.js';
import { VOLUME_RESOURCES, volumeOf, volumeRunner } from './volume-resources.js';

export const partitionVolume = defineTask({
  id: 'base/partition-volume',
  phase: 'volume-preparation',
  description: 'Write the partition table and wait for the partition devices',
  hostCommands: ['sfdisk', 'partx'],
  async run(ctx) {
    const volume = volumeOf(ctx);
    const res = ctx.state.get(VOLUME_RESOURCES);
    volumeRunner(ctx);
    const disk = volume.device;
    if (!disk || !res.layout) throw new BuildError('the volume is not attached');
    if (volume.partitionMap === 'none') {
      for (const p of volume.partitions) p.device = disk;
      return;
    }
    const written = await new PartitionTable(res.layout, ctx.runner).write(disk);
    // Partition nodes of loop devices need a rescan (there is no udev to create them here); so may
    // those of a block device a provider attached (an EBS volume), which this task was handed.
    const numbers = volume.partitions.map((p) => p.number);
    if (res.loop) await res.loop.rescan(numbers);
    else await settlePartitionNodes(disk, numbers, { runner: ctx.runner, fs: ctx.fs, signal: ctx.signal });
    for (const p of volume.partitions) {
      p.device = res.loop ? res.loop.partition(p.number) : partitionDevice(disk, p.number);
      const partuuid = written.find((w) => w.number === p.number)?.partuuid;
      if (partuuid) p.partuuid = partuuid.toLowerCase();
    }
  },
});

export const formatPartitions = defineTask({
  id: 'base/format-partitions',
  phase: 'volume-preparation',
  description: 'Create the filesystems',
  after: ['base/partition-volume'],
  hostCommands: ['mkfs.ext4', 'blkid'],
  async run(ctx) {
    const formatter = new Formatter(ctx.runner, (level, message) => ctx.log(level, message));
    const res = ctx.state.get(VOLUME_RESOURCES);
    for (const p of volumeOf(ctx).partitions) {
      if (!p.device) throw new BuildError(`partition ${p.name} has no device`);
      const planned = res.layout?.partitions.find((x) => x.number === p.number && x.name === p.name);
      const uuid = await formatter.format({
        name: p.name,
        filesystem: p.filesystem,
        sizeBytes: p.sizeBytes,
        device: p.device,
        ...(planned?.formatCommand ? { formatCommand: planned.formatCommand } : {}),
      });
      if (uuid) p.uuid = uuid;
    }
  },
});
