/**
 * System cleaning: delete the SSH host keys made when openssh-server was installed (bootstrap-vz
 * ShredHostkeys): every instance of the image would otherwise share one host identity. New keys are
 * made at first boot by cloud-init or by the regenerate-ssh-host-keys unit (base/add-ssh-key-regeneration).
 * Plain removal is enough: the deleted keys are never trusted by anyone, so leftovers in free blocks
 * of the image reveal nothing that matters.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';
import { listDir } from './list-dir.js';

export const removeSshHostKeys: Task = {
  id: 'base/remove-ssh-host-keys',
  phase: 'system-cleaning',
  description: 'Remove the SSH host keys made during the build',
  async run(ctx) {
    const sshDir = inImage(imageRoot(ctx), '/etc/ssh');
    for (const entry of await listDir(sshDir)) {
      if (/^ssh_host_.*_key(\.pub)?$/.test(entry.name)) await ctx.fs.remove(entry.path);
    }
  },
};
