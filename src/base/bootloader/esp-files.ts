/**
 * The ESP contents for a Secure Boot capable GRUB, written without mounting the ESP. Some build hosts
 * run kernels without vfat (see src/volume/host-filesystems.ts), so the ESP cannot be mounted and
 * grub-install refuses an --efi-directory that is not FAT. What grub-install --uefi-secure-boot
 * --force-extra-removable would put there is a fixed set of files from the shim and signed-GRUB
 * packages plus a three-line grub.cfg, so it is staged in the workspace and copied into the FAT
 * filesystem with mtools. The layout matches grub-install's:
 *   EFI/debian/{shim,grub,mm}<arch>.efi + grub.cfg   (the signed GRUB's built-in prefix is /EFI/debian)
 *   EFI/BOOT/BOOT<ARCH>.EFI (shim) + {grub,mm}<arch>.efi   (the removable path firmware boots without NVRAM)
 * Upgrades inside a running instance mount the ESP normally and grub-install takes over from there.
 */
import type { Architecture } from '../../api/index.js';
import { renderTemplate } from '../system/render-template.js';

export interface EspCopy {
  /** Absolute path inside the image. */
  readonly source: string;
  /** Path inside the ESP, e.g. EFI/BOOT/BOOTX64.EFI. */
  readonly dest: string;
}

export function espCopies(architecture: Architecture): EspCopy[] {
  const [efi, grubDir, upper] =
    architecture === 'arm64' ? ['aa64', 'arm64-efi-signed', 'AA64'] : ['x64', 'x86_64-efi-signed', 'X64'];
  const shim = `/usr/lib/shim/shim${efi}.efi.signed`;
  const grub = `/usr/lib/grub/${grubDir}/grub${efi}.efi.signed`;
  const mm = `/usr/lib/shim/mm${efi}.efi.signed`;
  return [
    { source: shim, dest: `EFI/debian/shim${efi}.efi` },
    { source: grub, dest: `EFI/debian/grub${efi}.efi` },
    { source: mm, dest: `EFI/debian/mm${efi}.efi` },
    { source: shim, dest: `EFI/BOOT/BOOT${upper}.EFI` },
    { source: grub, dest: `EFI/BOOT/grub${efi}.efi` },
    { source: mm, dest: `EFI/BOOT/mm${efi}.efi` },
  ];
}

/**
 * EFI/debian/grub.cfg: find the filesystem holding /boot/grub by UUID and hand over to its grub.cfg
 * (what grub-install writes for signed images). `/grub` when /boot is its own filesystem.
 */
export function espGrubStub(bootFsUuid: string, separateBoot: boolean): string {
  return renderTemplate('bootloader/esp-grub.cfg.njk', {
    uuid: bootFsUuid,
    prefix: separateBoot ? '/grub' : '/boot/grub',
  });
}
