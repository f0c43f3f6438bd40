/**
 * The grub-install command lines for a manifest, run in the chroot, BIOS first.
 * - BIOS: core.img into the disk's boot track (msdos) or the bios_grub partition (gpt), so it takes the
 *   whole-disk device. Inside the chroot the loop device exists because /dev is bind-mounted.
 * - UEFI: into the ESP at /boot/efi. --no-nvram: the build host's firmware variables are not the
 *   image's business and efivarfs is not mounted. --force-extra-removable also writes the fallback path
 *   EFI/BOOT/BOOTX64.EFI (BOOTAA64.EFI on arm64), which firmware without boot entries (a fresh VM, an
 *   EC2 instance) boots; EFI/debian is kept too because the signed GRUB looks for its grub.cfg there.
 *   --uefi-secure-boot installs shim + signed GRUB when those packages are in the image.
 */
import type { Manifest, VolumeInfo } from '../../api/index.js';
import { grubTargets } from './boot-mode.js';
import { bootloaderPackages } from './bootloader-packages.js';

export function grubInstallCommands(manifest: Manifest, volume: VolumeInfo): string[][] {
  const { secureBoot } = bootloaderPackages(manifest);
  return grubTargets(manifest).map(({ target, firmware }) => {
    if (firmware === 'bios') {
      if (volume.device === undefined)
        throw new Error('the volume has no device node; attach it before installing GRUB');
      return ['grub-install', `--target=${target}`, '--boot-directory=/boot', volume.device];
    }
    return [
      'grub-install',
      `--target=${target}`,
      '--efi-directory=/boot/efi',
      '--boot-directory=/boot',
      '--bootloader-id=debian',
      '--no-nvram',
      '--force-extra-removable',
      secureBoot ? '--uefi-secure-boot' : '--no-uefi-secure-boot',
    ];
  });
}

/**
 * debconf answers for grub-efi-<arch>, whose postinst re-runs grub-install on upgrades: keep the
 * removable path current and never touch NVRAM. Undefined when the main package is not grub-efi.
 */
export function grubEfiDebconf(manifest: Manifest): string | undefined {
  const main = bootloaderPackages(manifest).packages.find((p) => /^grub-efi-(amd64|arm64)$/.test(p));
  if (main === undefined) return undefined;
  return `${main} grub2/force_efi_extra_removable boolean true\n${main} grub2/update_nvram boolean false\n`;
}
