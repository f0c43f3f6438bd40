/** The image file behind file-backed volumes, and its loop device (bootstrap-vz's loopback.Create/Attach). */
import {
  BuildError,
  defineTask,
  formatSize,
  HOST_JOURNAL_PLUGIN,
  rollBackAttach,
  volumeAttached,
  volumeDetached,
  volumeImageCreated,
  type PartitionInfo,
  type TaskContext,
  VOLUME,
} from '../../api/index.js';
import { cachedTreeBytes } from '../bootstrap/cached-tree-size.js';
import { USABLE_FRACTION } from '../space/check-root-space.js';
import { ImageFile } from '../../volume/image-file.js';
import { LoopDevice } from '../../volume/loop-device.js';
import { VOLUME_RESOURCES, volumeOf, volumeRunner } from './volume-resources.js';

async function checkRootFits(ctx: TaskContext, partitions: readonly PartitionInfo[]): Promise<void> {
  const root = partitions.find((p) => p.mountpoint === '/');
  const tree = await cachedTreeBytes(ctx);
  if (!root || tree === undefined) return;
  if (tree > root.sizeBytes * USABLE_FRACTION) {
    throw new BuildError(
      `the root partition (${formatSize(root.sizeBytes)}) is too small: this package set takes ${formatSize(Math.ceil(tree / 2 ** 20) * 2 ** 20)} (measured by an earlier build)`,
      'raise volume.partitions.root.size',
    );
  }
}

export const createImageFile = defineTask({
  id: 'base/create-image-file',
  phase: 'volume-creation',
  description: 'Create a sparse image file for the volume',
  hostCommands: ['truncate'],
  async run(ctx) {
    const volume = volumeOf(ctx);
    await checkRootFits(ctx, volume.partitions);
    const image = new ImageFile(`${ctx.workspace}/volume.raw`, volume.sizeBytes, volumeRunner(ctx), ctx.fs);
    ctx.state.get(VOLUME_RESOURCES).image = image;
    await image.create();
    volumeImageCreated(volume, image.path);
  },
  async undo(ctx) {
    volumeRunner(ctx);
    await ctx.state.get(VOLUME_RESOURCES).image?.delete();
  },
});

/** The loop device in the journal (one per build), for `bootstrap cleanup` after a SIGKILL. */
const LOOP_KEY = 'host-loop';

export const attachLoopDevice = defineTask({
  id: 'base/attach-loop-device',
  phase: 'volume-creation',
  description: 'Attach the image file to a loop device',
  after: ['base/create-image-file'],
  hostCommands: ['losetup', 'partx'],
  async run(ctx) {
    const volume = volumeOf(ctx);
    const image = volume.rawImagePath;
    if (image === undefined)
      throw new BuildError('there is no image file to attach (base/create-image-file did not run)');
    const loop = new LoopDevice(image, {
      runner: volumeRunner(ctx),
      fs: ctx.fs,
      signal: ctx.signal,
      log: (level, message) => ctx.log(level, message),
    });
    ctx.state.get(VOLUME_RESOURCES).loop = loop;
    const device = await loop.attach();
    volumeAttached(volume, device);
    // For `bootstrap cleanup` after a SIGKILL: the device and the file it must still be backed by.
    await ctx.journal.intend({ plugin: HOST_JOURNAL_PLUGIN, kind: 'loop', key: LOOP_KEY });
    await ctx.journal.created(LOOP_KEY, `${device} ${loop.imagePath}`);
  },
  async undo(ctx) {
    volumeRunner(ctx);
    await ctx.state.get(VOLUME_RESOURCES).loop?.detach();
    await ctx.journal.released(LOOP_KEY);
    const volume = ctx.state.get(VOLUME);
    if (volume) rollBackAttach(volume);
  },
});

export const detachLoopDevice = defineTask({
  id: 'base/detach-loop-device',
  phase: 'volume-unmounting',
  description: 'Detach the loop device',
  after: ['base/unmount-volume'],
  hostCommands: ['losetup'],
  async run(ctx) {
    volumeRunner(ctx);
    await ctx.state.get(VOLUME_RESOURCES).loop?.detach();
    await ctx.journal.released(LOOP_KEY);
    volumeDetached(volumeOf(ctx));
  },
});
