/**
 * System modification: grub-install for every platform of the boot mode (see grub-install-commands.ts).
 * When the ESP is not mounted at /boot/efi (the host kernel has no vfat), the EFI side is written
 * with mtools instead (install-esp-unmounted.ts).
 * For hybrid images with grub-cloud-amd64, /etc/grub.d/enable_cloud is created last: from then on the
 * package's triggers re-install both platforms when GRUB is upgraded inside a running instance.
 */
import { join } from 'node:path';
import { BuildError, type Task, type TaskContext } from '../../api/index.js';
import { withSpecialMounts } from '../apt/special-mounts.js';
import { mountsBelow } from '../bootstrap/mounts-below.js';
import { imageRoot, inImage, requireVolume } from '../system/image-paths.js';
import { grubTargets } from './boot-mode.js';
import { bootloaderPackages } from './bootloader-packages.js';
import { grubEfiDebconf, grubInstallCommands } from './grub-install-commands.js';
import { installEspUnmounted } from './install-esp-unmounted.js';
import type { WithSpecialMounts } from './special-mounts.js';

/** True when something is mounted at <root>/boot/efi (a dry run assumes the ESP is mounted). */
async function espMountedAt(ctx: TaskContext, root: string): Promise<boolean> {
  if (ctx.dryRun) return true;
  return (await mountsBelow(root)).includes(join(root, 'boot/efi'));
}

export function createInstallGrubTask(deps: {
  withMounts: WithSpecialMounts;
  espMounted?: (ctx: TaskContext, root: string) => Promise<boolean>;
}): Task {
  const espMounted = deps.espMounted ?? espMountedAt;
  return {
    id: 'base/install-grub',
    phase: 'system-modification',
    description: 'Install GRUB',
    after: ['base/write-grub-defaults', 'base/write-fstab'],
    hostCommands: ['chroot', 'cp', 'mcopy'],
    async run(ctx) {
      const root = imageRoot(ctx);
      const volume = requireVolume(ctx);
      if (volume.partitionMap === 'none') {
        throw new BuildError(
          'GRUB cannot boot an unpartitioned volume',
          'use volume.partitions.type msdos or gpt',
        );
      }
      const packages = bootloaderPackages(ctx.manifest);
      const needsEsp = grubTargets(ctx.manifest).some((t) => t.firmware === 'uefi');
      const stagedEsp = needsEsp && !(await espMounted(ctx, root));
      // Without a mounted ESP, grub-install runs for BIOS only and the EFI files are copied in below.
      const commands = grubInstallCommands(ctx.manifest, volume).filter(
        (argv) => !stagedEsp || argv.includes('--target=i386-pc'),
      );
      const debconf = grubEfiDebconf(ctx.manifest);
      await deps.withMounts(ctx, root, async () => {
        if (debconf !== undefined)
          await ctx.runner.chroot(root, ['debconf-set-selections'], { input: debconf });
        for (const argv of commands) await ctx.runner.chroot(root, argv);
      });
      if (stagedEsp) {
        ctx.log('info', 'the EFI system partition is not mounted; copying shim and GRUB into it with mtools');
        await installEspUnmounted(ctx, root, volume, {
          architecture: ctx.manifest.data.system.architecture,
          secureBoot: packages.secureBoot,
        });
      }
      if (packages.grubCloud) {
        await ctx.fs.writeFile(inImage(root, '/etc/grub.d/enable_cloud'), '', { mode: 0o644 });
      }
    },
  };
}

export const installGrub: Task = createInstallGrubTask({ withMounts: withSpecialMounts });
