/** Mounting the volume's filesystems at <workspace>/root (bootstrap-vz's MountRoot, MountAdditional). */
import {
  defineTask,
  rollBackMount,
  ROOT_DIR,
  VOLUME,
  volumeMounted,
  volumeUnmounted,
} from '../../api/index.js';
import { partitionMounts } from '../../volume/mounts.js';
import { releaseRoot } from './release-root.js';
import { mountTable, volumeOf } from './volume-resources.js';

export const mountVolume = defineTask({
  id: 'base/mount-volume',
  phase: 'volume-mounting',
  description: 'Mount the root filesystem and the other partitions',
  hostCommands: ['mount', 'umount'],
  async run(ctx) {
    const root = `${ctx.workspace}/root`;
    ctx.state.set(ROOT_DIR, root);
    const table = mountTable(ctx);
    // The EFI system partition is never mounted during the build: many build hosts (these included)
    // have no vfat in their kernel. base/install-grub fills it with mtools instead.
    const volume = volumeOf(ctx);
    // Refused unless attached; if a mount below fails, the undo sets it back to attached.
    volumeMounted(volume);
    const partitions = volume.partitions.filter((p) => p.name !== 'efi');
    // Mount one at a time so the undo knows exactly what is mounted if one fails.
    for (const entry of partitionMounts(root, partitions)) await table.mount(entry);
  },
  async undo(ctx) {
    const table = mountTable(ctx);
    const root = ctx.state.get(ROOT_DIR);
    if (root) await releaseRoot(ctx, root, table.mounted);
    await table.unmountAll();
    const volume = ctx.state.get(VOLUME);
    if (volume) rollBackMount(volume);
  },
});

export const unmountVolume = defineTask({
  id: 'base/unmount-volume',
  phase: 'volume-unmounting',
  description: 'Unmount the filesystems of the volume',
  hostCommands: ['umount'],
  async run(ctx) {
    await mountTable(ctx).unmountAll();
    volumeUnmounted(volumeOf(ctx));
  },
});
