/**
 * System cleaning: an empty /etc/machine-id, so systemd makes a new id at each instance's first boot
 * (an empty file, not a missing one: systemd treats empty as "first boot" and can write the new id in
 * place even before / is writable). /var/lib/dbus/machine-id becomes the symlink Debian uses, so D-Bus
 * follows the same id.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';

export const resetMachineId: Task = {
  id: 'base/reset-machine-id',
  phase: 'system-cleaning',
  description: 'Empty /etc/machine-id so each instance gets its own',
  async run(ctx) {
    const root = imageRoot(ctx);
    await ctx.fs.writeFile(inImage(root, '/etc/machine-id'), '', { mode: 0o444 });
    const dbusId = inImage(root, '/var/lib/dbus/machine-id');
    if (await ctx.fs.exists(inImage(root, '/var/lib/dbus'))) {
      await ctx.fs.remove(dbusId);
      await ctx.fs.symlink('/etc/machine-id', dbusId);
    }
  },
};
