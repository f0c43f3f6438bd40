/**
 * System modification: SSH hardening as bootstrap-vz did (DisableSSHPasswordAuthentication): keys only,
 * root by key only. From bullseye on, Debian's sshd_config starts with
 * `Include /etc/ssh/sshd_config.d/*.conf`, and the first value of a keyword wins, so a drop-in
 * overrides the defaults below it. Older releases have no Include: the block is put at the top of
 * sshd_config instead, for the same first-match reason.
 * Not planned when the root_password plugin is enabled (it wants password logins).
 */
import { hasSshdDropInInclude, type Task } from '../../api/index.js';
import { imageRoot, inImage } from './image-paths.js';
import { renderTemplate } from './render-template.js';

export const SSHD_DROP_IN = '/etc/ssh/sshd_config.d/50-bootstrap.conf';
const BEGIN = '# BEGIN image bootstrapper';

export const configureSshd: Task = {
  id: 'base/configure-sshd',
  phase: 'system-modification',
  description: 'Disable SSH password authentication',
  async run(ctx) {
    const root = imageRoot(ctx);
    const mainPath = inImage(root, '/etc/ssh/sshd_config');
    const main = (await ctx.fs.exists(mainPath)) ? await ctx.fs.readFile(mainPath) : '';
    const block = renderTemplate('system/sshd-hardening.conf.njk', {});
    if (hasSshdDropInInclude(main)) {
      await ctx.fs.mkdir(inImage(root, '/etc/ssh/sshd_config.d'), { mode: 0o755 });
      await ctx.fs.writeFile(inImage(root, SSHD_DROP_IN), block, { mode: 0o644 });
    } else if (!main.includes(BEGIN)) {
      await ctx.fs.writeFile(mainPath, `${BEGIN}\n${block}# END image bootstrapper\n\n${main}`, {
        mode: 0o644,
      });
    }
  },
};
