/**
 * base/apt-upgrade: brings the bootstrapped (possibly cached, so older) base system up to date with
 * the sources, including the updates and security suites (bootstrap-vz's AptUpgrade).
 */
import { imageRoot, type Task } from '../../api/index.js';
import { aptGetArgv } from './apt-get.js';
import { cachedAptRun } from './cached-apt-run.js';
import { usableFreshBootstrap } from './fresh-bootstrap.js';
import { withSpecialMounts } from './special-mounts.js';

export const aptUpgrade: Task = {
  id: 'base/apt-upgrade',
  phase: 'package-installation',
  description: 'Upgrading the installed packages',
  after: ['base/apt-update', 'base/disable-daemon-autostart'],
  hostCommands: ['chroot', 'mount', 'umount'],
  async run(ctx) {
    const root = imageRoot(ctx);
    if (usableFreshBootstrap(ctx)) {
      ctx.log(
        'info',
        'the bootstrap installed from the updates and security suites moments ago; nothing to upgrade',
      );
      return;
    }
    await withSpecialMounts(ctx, root, () =>
      cachedAptRun(ctx, root, aptGetArgv(ctx.manifest, 'dist-upgrade')),
    );
  },
};
