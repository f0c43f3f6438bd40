/** Mounting the volume's filesystems at <workspace>/root (bootstrap-vz's MountRoot, MountAdditional). */
import { defineTask, ROOT_DIR } from '../../api/index.js';
import { partitionMounts } from '../../volume/mounts.js';
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
    // Mount one at a time so the undo knows exactly what is mounted if one fails.
    for (const entry of partitionMounts(root, volumeOf(ctx).partitions)) await table.mount(entry);
  },
  async undo(ctx) {
    await mountTable(ctx).unmountAll();
  },
});

export const unmountVolume = defineTask({
  id: 'base/unmount-volume',
  phase: 'volume-unmounting',
  description: 'Unmount the filesystems of the volume',
  hostCommands: ['umount'],
  async run(ctx) {
    await mountTable(ctx).unmountAll();
  },
});
