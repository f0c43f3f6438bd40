/**
 * The volume's live resources, shared between the base volume tasks of one build. Each is a state
 * machine (src/volume) whose undo is idempotent, so the rollback of any task may call it whatever
 * happened before.
 */
import {
  BuildError,
  stateKey,
  VOLUME,
  type CommandRunner,
  type TaskContext,
  type VolumeInfo,
} from '../../api/index.js';
import type { ImageFile } from '../../volume/image-file.js';
import type { VolumeLayout } from '../../volume/layout.js';
import type { LoopDevice } from '../../volume/loop-device.js';
import { MountTable } from '../../volume/mounts.js';

export interface VolumeResources {
  /** The runner of the task or undo running now; see volumeRunner. */
  currentRunner?: CommandRunner;
  runner?: CommandRunner;
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

/**
 * The runner the volume's resources use. They live across tasks, but each context's runner is bound
 * to that context's abort signal: a resource holding the runner of the task that created it would
 * have every command of the rollback refused once Ctrl-C aborted the build. So resources get a
 * stable runner that delegates to the runner of whichever task or undo is running now.
 */
export function volumeRunner(ctx: TaskContext): CommandRunner {
  const res = ctx.state.get(VOLUME_RESOURCES);
  res.currentRunner = ctx.runner;
  return (res.runner ??= {
    get dryRun() {
      return (res.currentRunner ?? ctx.runner).dryRun;
    },
    run: (argv, options) => (res.currentRunner ?? ctx.runner).run(argv, options),
    chroot: (root, argv, options) => (res.currentRunner ?? ctx.runner).chroot(root, argv, options),
  });
}

export function mountTable(ctx: TaskContext): MountTable {
  const res = ctx.state.get(VOLUME_RESOURCES);
  const runner = volumeRunner(ctx);
  return (res.mounts ??= new MountTable({
    runner,
    fs: ctx.fs,
    log: (level, message) => ctx.log(level, message),
  }));
}
