/**
 * System cleaning: /etc/resolv.conf as the booted image needs it, not the build host's copy that was
 * used for downloads. With systemd-resolved in the image (our networking, see
 * system/add-network-packages.ts) it is the link to resolved's stub file, as resolved's own postinst
 * makes it; otherwise it is removed and the DHCP client writes it at boot.
 * Runs after everything that could still need DNS in the chroot.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';

export const RESOLVED_STUB = '../run/systemd/resolve/stub-resolv.conf';

export const resetResolvConf: Task = {
  id: 'base/reset-resolv-conf',
  phase: 'system-cleaning',
  description: "Replace the build host's /etc/resolv.conf",
  after: ['base/clean-apt'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const path = inImage(root, '/etc/resolv.conf');
    const resolved =
      (await ctx.fs.exists(inImage(root, '/usr/lib/systemd/systemd-resolved'))) ||
      (await ctx.fs.exists(inImage(root, '/lib/systemd/systemd-resolved')));
    await ctx.fs.remove(path);
    if (resolved) await ctx.fs.symlink(RESOLVED_STUB, path);
  },
};
