/**
 * System modification: lock root's password (`passwd -l`), so the only ways in are SSH keys and
 * whatever plugins add (admin_user, cloud-init's default user). Key logins still work: Debian's sshd
 * runs with UsePAM yes, which does not refuse accounts with a locked password.
 * Not planned when the root_password plugin is enabled.
 */
import type { Task } from '../../api/index.js';
import { imageRoot } from './image-paths.js';

export const lockRootAccount: Task = {
  id: 'base/lock-root-account',
  phase: 'system-modification',
  description: "Lock root's password",
  hostCommands: ['chroot'],
  async run(ctx) {
    await ctx.runner.chroot(imageRoot(ctx), ['passwd', '--lock', 'root']);
  },
};
