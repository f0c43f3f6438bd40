/**
 * System cleaning: remove /usr/sbin/policy-rc.d, which kept services from starting in the chroot
 * during the build (base/disable-daemon-autostart); left in place, package upgrades in the running
 * instance would never restart their services. Idempotent with that task's own undo.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';

export const removePolicyRcD: Task = {
  id: 'base/remove-policy-rc-d',
  phase: 'system-cleaning',
  description: 'Let services start again (remove policy-rc.d)',
  async run(ctx) {
    await ctx.fs.remove(inImage(imageRoot(ctx), '/usr/sbin/policy-rc.d'));
  },
};
