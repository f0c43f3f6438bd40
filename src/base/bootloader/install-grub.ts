/**
 * System modification: grub-install for every platform of the boot mode (see grub-install-commands.ts).
 * For hybrid images with grub-cloud-amd64, /etc/grub.d/enable_cloud is created last: from then on the
 * package's triggers re-install both platforms when GRUB is upgraded inside a running instance.
 */
import { BuildError, type Task } from '../../api/index.js';
import { withSpecialMounts } from '../apt/special-mounts.js';
import { imageRoot, inImage, requireVolume } from '../system/image-paths.js';
import { bootloaderPackages } from './bootloader-packages.js';
import { grubEfiDebconf, grubInstallCommands } from './grub-install-commands.js';
import type { WithSpecialMounts } from './special-mounts.js';

export function createInstallGrubTask(deps: { withMounts: WithSpecialMounts }): Task {
  return {
    id: 'base/install-grub',
    phase: 'system-modification',
    description: 'Install GRUB',
    after: ['base/write-grub-defaults', 'base/write-fstab'],
    hostCommands: ['chroot'],
    async run(ctx) {
      const root = imageRoot(ctx);
      const volume = requireVolume(ctx);
      if (volume.partitionMap === 'none') {
        throw new BuildError(
          'GRUB cannot boot an unpartitioned volume',
          'use volume.partitions.type msdos or gpt',
        );
      }
      const commands = grubInstallCommands(ctx.manifest, volume);
      const debconf = grubEfiDebconf(ctx.manifest);
      await deps.withMounts(ctx, root, async () => {
        if (debconf !== undefined)
          await ctx.runner.chroot(root, ['debconf-set-selections'], { input: debconf });
        for (const argv of commands) await ctx.runner.chroot(root, argv);
      });
      if (bootloaderPackages(ctx.manifest).grubCloud) {
        await ctx.fs.writeFile(inImage(root, '/etc/grub.d/enable_cloud'), '', { mode: 0o644 });
      }
    },
  };
}

export const installGrub: Task = createInstallGrubTask({ withMounts: withSpecialMounts });
