/**
 * The volume's live resources, shared between the base volume tasks of one build. Each is a state
 * machine (src/volume) whose undo is idempotent, so the rollback of any task may call it whatever
 * happened before.
 */
import { stateKey, type TaskContext, VOLUME, type VolumeInfo, BuildError } from '../../api/index.js';
import type { ImageFile } from '../../volume/image-file.js';
import type { VolumeLayout } from '../../volume/layout.js';
import type { LoopDevice } from '../../volume/loop-device.js';
import { MountTable } from '../../volume/mounts.js';

export interface VolumeResources {
  layout?: VolumeLayout;
  image?: ImageFile;
  loop?: LoopDevice;
  mounts?: MountTable;
}

export const VOLUME_RESOURCES = stateKey<VolumeResources>('base/volume-resources', () => ({}));

export function volumeOf(ctx: TaskContext): VolumeInfo {
  const volume = ctx.state.get(VOLUME);
  if (!volume) throw new BuildError('the volume layout has not been planned (base/plan-volume did not run)');
  return volume;
}

export function mountTable(ctx: TaskContext): MountTable {
  const res = ctx.state.get(VOLUME_RESOURCES);
  return (res.mounts ??= new MountTable({
    runner: ctx.runner,
    fs: ctx.fs,
    log: (level, message) => ctx.log(level, message),
  }));
}

/** File backings: the volume is an image file on a loop device (bootstrap-vz's loopback volumes). */
export const FILE_BACKINGS: ReadonlySet<string> = new Set(['raw', 'qcow2', 'vmdk', 'vdi', 's3']);
