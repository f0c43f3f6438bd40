/**
 * System modification: install extlinux (bootstrap-vz InstallExtlinuxJessie).
 * 1. `extlinux --install /boot/extlinux` in the chroot, so the image's own extlinux writes ldlinux.sys
 *    matching its modules; it finds the filesystem through /proc and /dev, hence the special mounts.
 * 2. The first 440 bytes of the disk get the image's mbr.bin (msdos) or gptmbr.bin (gpt), written with
 *    dd on the host: the boot code only, the partition table after byte 440 is kept.
 * 3. The MBR code boots the partition marked active (msdos) or LegacyBIOSBootable (gpt): set on the
 *    partition holding /boot. --no-reread/--no-tell-kernel because its filesystems are mounted; only
 *    the flag changes, so the kernel's view stays right.
 * An unpartitioned volume needs neither: extlinux's boot sector is the volume's first sector.
 */
import { BuildError, type Task, type VolumeInfo } from '../../api/index.js';
import { withSpecialMounts } from '../apt/special-mounts.js';
import { imageRoot, inImage, requireVolume } from '../system/image-paths.js';
import type { WithSpecialMounts } from './special-mounts.js';

/** Host commands that make the disk boot extlinux (steps 2 and 3). */
export function extlinuxDiskCommands(volume: VolumeInfo, root: string): string[][] {
  if (volume.partitionMap === 'none') return [];
  const disk = volume.device;
  if (disk === undefined)
    throw new Error('the volume has no device node; attach it before installing extlinux');
  const bootPartition =
    volume.partitions.find((p) => p.mountpoint === '/boot') ??
    volume.partitions.find((p) => p.name === 'root');
  if (bootPartition === undefined) throw new Error('the volume layout has no root partition');
  const mbr = inImage(
    root,
    volume.partitionMap === 'gpt' ? '/usr/lib/EXTLINUX/gptmbr.bin' : '/usr/lib/EXTLINUX/mbr.bin',
  );
  const flag =
    volume.partitionMap === 'gpt'
      ? ['--part-attrs', disk, String(bootPartition.number), 'LegacyBIOSBootable']
      : ['--activate', disk, String(bootPartition.number)];
  return [
    ['dd', `if=${mbr}`, `of=${disk}`, 'bs=440', 'count=1', 'conv=notrunc'],
    ['sfdisk', '--no-reread', '--no-tell-kernel', ...flag],
  ];
}

export function createInstallExtlinuxTask(deps: { withMounts: WithSpecialMounts }): Task {
  return {
    id: 'base/install-extlinux',
    phase: 'system-modification',
    description: 'Install extlinux',
    after: ['base/configure-extlinux'],
    hostCommands: ['chroot', 'dd', 'sfdisk'],
    async run(ctx) {
      const root = imageRoot(ctx);
      const volume = requireVolume(ctx);
      if (ctx.manifest.data.system.boot_mode !== undefined && ctx.manifest.data.system.boot_mode !== 'bios') {
        throw new BuildError(
          'extlinux boots with BIOS only',
          'use bootloader grub for system.boot_mode uefi or hybrid',
        );
      }
      await deps.withMounts(ctx, root, () =>
        ctx.runner.chroot(root, ['extlinux', '--install', '/boot/extlinux']),
      );
      for (const argv of extlinuxDiskCommands(volume, root)) await ctx.runner.run(argv);
    },
  };
}

export const installExtlinux: Task = createInstallExtlinuxTask({ withMounts: withSpecialMounts });
