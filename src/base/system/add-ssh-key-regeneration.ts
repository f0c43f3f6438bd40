/**
 * System modification: a oneshot unit that creates SSH host keys at first boot. base/remove-ssh-host-keys
 * deletes the build's keys (every instance must have its own), and Debian's openssh-server makes keys
 * only in its postinst, so without cloud-init (whose ssh module regenerates them) sshd would refuse to
 * start. The unit runs only while no key exists, before ssh.service. Enabled through ENABLED_UNITS.
 */
import { ENABLED_UNITS, type Task } from '../../api/index.js';
import { imageRoot, inImage } from './image-paths.js';
import { renderTemplate } from './render-template.js';

export const SSH_KEYGEN_UNIT = 'regenerate-ssh-host-keys.service';

export const addSshKeyRegeneration: Task = {
  id: 'base/add-ssh-key-regeneration',
  phase: 'system-modification',
  description: 'Install a first-boot unit that regenerates SSH host keys',
  before: ['base/enable-units'],
  async run(ctx) {
    const root = imageRoot(ctx);
    await ctx.fs.mkdir(inImage(root, '/etc/systemd/system'), { mode: 0o755 });
    await ctx.fs.writeFile(
      inImage(root, `/etc/systemd/system/${SSH_KEYGEN_UNIT}`),
      renderTemplate('system/regenerate-ssh-host-keys.service.njk', {}),
      { mode: 0o644 },
    );
    ctx.state.get(ENABLED_UNITS).add(SSH_KEYGEN_UNIT);
  },
};
