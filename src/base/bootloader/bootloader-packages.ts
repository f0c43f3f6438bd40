/**
 * Which bootloader packages to install, by bootloader, boot mode, architecture and release.
 *
 * GRUB's platform packages `grub-pc` and `grub-efi-<arch>` conflict: each is the "main" package that
 * owns the debconf questions and re-runs grub-install on upgrades, and apt removes one to install the
 * other. So:
 * - bios: grub-pc.
 * - uefi: grub-efi-<arch>, plus the signed GRUB and shim (buster+ on amd64, bullseye+ on arm64) so the
 *   image also boots with Secure Boot on. The EFI side is installed with --force-extra-removable, and
 *   install-grub presets the debconf answers so upgrades keep EFI/BOOT/BOOT<ARCH>.EFI current.
 * - hybrid (amd64): grub-cloud-amd64, the Debian cloud team's package for exactly this case. It pulls
 *   grub-pc-bin, grub-efi-amd64-bin, the signed GRUB and shim but no main package, so nothing
 *   conflicts, and its dpkg triggers re-install both platforms on upgrades once
 *   /etc/grub.d/enable_cloud exists (install-grub creates it last). Before buster it does not exist;
 *   there grub-pc keeps BIOS current and grub-efi-amd64-bin only provides the EFI modules, so the EFI
 *   loader is not refreshed by upgrades.
 * - extlinux: extlinux (mbr.bin/gptmbr.bin are in it, in /usr/lib/EXTLINUX).
 * UEFI images also get dosfstools so systemd-fsck can check the ESP.
 */
import { DEBIAN, releaseAtLeast, type Manifest } from '../../api/index.js';
import { bootMode } from './boot-mode.js';

export interface BootloaderPackages {
  readonly packages: readonly string[];
  /** Signed GRUB + shim are installed: grub-install gets --uefi-secure-boot. */
  readonly secureBoot: boolean;
  /** grub-cloud-amd64 maintains both platforms after install. */
  readonly grubCloud: boolean;
}

const NONE: BootloaderPackages = { packages: [], secureBoot: false, grubCloud: false };

export function bootloaderPackages(manifest: Manifest): BootloaderPackages {
  const { bootloader, architecture } = manifest.data.system;
  if (bootloader === 'extlinux') return { ...NONE, packages: ['extlinux'] };
  if (bootloader !== 'grub') return NONE;
  const mode = bootMode(manifest);
  if (mode === 'bios') return { ...NONE, packages: ['grub-pc'] };
  const efiArch = architecture === 'arm64' ? 'arm64' : 'amd64';
  const signed = releaseAtLeast(manifest.release, efiArch === 'arm64' ? DEBIAN.bullseye : DEBIAN.buster);
  if (mode === 'hybrid') {
    if (signed) return { packages: ['grub-cloud-amd64', 'dosfstools'], secureBoot: true, grubCloud: true };
    return { packages: ['grub-pc', 'grub-efi-amd64-bin', 'dosfstools'], secureBoot: false, grubCloud: false };
  }
  const packages = [`grub-efi-${efiArch}`, 'dosfstools'];
  if (signed) packages.push(`grub-efi-${efiArch}-signed`, 'shim-signed');
  return { packages, secureBoot: signed, grubCloud: false };
}
