/** base/apt-update: refreshes the package lists from the sources written before. */
import { imageRoot, type Task } from '../../api/index.js';
import { APT_RUN_OPTIONS, APT_UPDATE_ARGV } from './apt-get.js';
import { usableFreshBootstrap } from './fresh-bootstrap.js';
import { withSpecialMounts } from './special-mounts.js';

export const aptUpdate: Task = {
  id: 'base/apt-update',
  phase: 'package-installation',
  description: 'Updating the package lists',
  after: ['base/write-apt-sources', 'base/write-apt-preferences', 'base/install-trusted-keys'],
  hostCommands: ['chroot', 'mount', 'umount'],
  async run(ctx) {
    const root = imageRoot(ctx);
    if (usableFreshBootstrap(ctx)) {
      ctx.log('info', 'the package lists are the ones the bootstrap fetched moments ago; not updating again');
      return;
    }
    await withSpecialMounts(ctx, root, () => ctx.runner.chroot(root, APT_UPDATE_ARGV, APT_RUN_OPTIONS));
  },
};
