/**
 * Volume-unmounting tasks: measure the image file, zero the free blocks of its ext filesystems with
 * zerofree once they are unmounted (the loop device still attached), punch holes where the file is
 * now zero after detaching, and report what that saved.
 *
 * Zeroed blocks still take space in a raw file until something deallocates them: `shrink` does so
 * with `fallocate --dig-holes` (in place, where bootstrap-vz copied the image with qemu-img convert);
 * a qcow2, vmdk or vdi output is written by base/export-image with qemu-img convert, which skips
 * zero clusters anyway.
 */
import {
  defineTask,
  formatBytes,
  stateKey,
  VOLUME,
  type PartitionInfo,
  type TaskContext,
} from '../../src/api/index.js';
import { allocatedBytes } from './allocated-bytes.js';

/** Allocated bytes of the image file when the volume was unmounted, before zerofree and shrinking. */
export const ALLOCATED_BEFORE = stateKey<number | undefined>(
  'minimize_size/allocated-before',
  () => undefined,
);

const ZEROFREE_FILESYSTEMS: ReadonlySet<string> = new Set(['ext2', 'ext3', 'ext4']);

/** The raw image file (these tasks run before base/export-image). */
function imagePath(ctx: TaskContext): string | undefined {
  return ctx.state.get(VOLUME)?.rawImagePath;
}

/** The partitions zerofree can work on: ext2/3/4 with a device node. */
export function zerofreeTargets(partitions: readonly PartitionInfo[]): PartitionInfo[] {
  return partitions.filter(
    (p) => p.filesystem !== undefined && ZEROFREE_FILESYSTEMS.has(p.filesystem) && p.device,
  );
}

export const measureImage = defineTask({
  id: 'minimize_size/measure-image',
  phase: 'volume-unmounting',
  description: 'Measure the disk space the image file takes before minimizing it',
  after: ['base/unmount-volume'],
  before: ['minimize_size/zerofree', 'minimize_size/shrink-image'],
  async run(ctx) {
    const path = imagePath(ctx);
    if (path === undefined || ctx.dryRun) return;
    ctx.state.set(ALLOCATED_BEFORE, await allocatedBytes(path));
  },
});

export const zerofree = defineTask({
  id: 'minimize_size/zerofree',
  phase: 'volume-unmounting',
  description: 'Zero the unused blocks of the ext filesystems (zerofree)',
  after: ['base/unmount-volume'],
  before: ['base/detach-loop-device'],
  hostCommands: ['zerofree'],
  async run(ctx) {
    const partitions = ctx.state.get(VOLUME)?.partitions ?? [];
    const targets = zerofreeTargets(partitions);
    for (const p of partitions) {
      if (!targets.includes(p) && p.filesystem !== undefined && p.filesystem !== 'swap') {
        ctx.log('debug', `zerofree: skipping ${p.name} (${p.filesystem}; zerofree handles ext2/3/4 only)`);
      }
    }
    for (const [i, p] of targets.entries()) {
      ctx.progress(i, targets.length, 'filesystems', `zeroing ${p.name}`);
      // The filesystem must not be mounted: zerofree refuses a mounted one, and base/unmount-volume ran.
      await ctx.runner.run(['zerofree', p.device as string]);
    }
  },
});

export const shrinkImage = defineTask({
  id: 'minimize_size/shrink-image',
  phase: 'volume-unmounting',
  description: 'Deallocate the zeroed blocks of the image file (fallocate --dig-holes)',
  after: ['base/detach-loop-device', 'minimize_size/zerofree'],
  hostCommands: ['fallocate'],
  async run(ctx) {
    const path = imagePath(ctx);
    if (path === undefined) {
      ctx.log('warn', 'shrink: the volume has no image file; nothing to shrink');
      return;
    }
    await ctx.runner.run(['fallocate', '--dig-holes', path]);
  },
});

export const reportSavings = defineTask({
  id: 'minimize_size/report-savings',
  phase: 'volume-unmounting',
  description: 'Report the disk space minimize_size saved',
  after: [
    'minimize_size/measure-image',
    'minimize_size/zerofree',
    'minimize_size/shrink-image',
    'base/detach-loop-device',
  ],
  async run(ctx) {
    const path = imagePath(ctx);
    const before = ctx.state.get(ALLOCATED_BEFORE);
    if (path === undefined || before === undefined) return;
    const after = await allocatedBytes(path);
    const saved = Math.max(0, before - after);
    ctx.log(
      'info',
      `image file ${path}: ${formatBytes(before)} allocated before, ${formatBytes(after)} after; saved ${saved} bytes (${formatBytes(saved)})`,
    );
    if (saved === 0 && ctx.manifest.data.volume.backing === 'raw') {
      ctx.log('info', 'zeroed blocks of a raw image are freed only with plugins.minimize_size.shrink');
    }
    ctx.addArtifact({ kind: 'metric', name: 'minimize_size/bytes-saved', value: saved, unit: 'bytes' });
  },
});
