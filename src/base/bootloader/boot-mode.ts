/**
 * Which firmware the image boots with and which GRUB platforms that means. `system.boot_mode` is an
 * added key; without it an x86 image boots with BIOS (bootstrap-vz had no UEFI, #491) and an arm64
 * image with UEFI, the only firmware arm64 machines have.
 */
import { BuildError, type Architecture, type BootMode, type Manifest } from '../../api/index.js';

export function bootMode(manifest: Manifest): BootMode {
  const { architecture, boot_mode: mode } = manifest.data.system;
  const chosen = mode ?? (architecture === 'arm64' ? 'uefi' : 'bios');
  if (architecture === 'arm64' && chosen !== 'uefi') {
    throw new BuildError(
      `system.boot_mode ${chosen} is not possible on arm64`,
      'arm64 machines boot with UEFI only',
    );
  }
  if (architecture === 'i386' && chosen !== 'bios') {
    throw new BuildError(`system.boot_mode ${chosen} is not supported on i386`, 'i386 images boot with BIOS');
  }
  return chosen;
}

export interface GrubTarget {
  /** grub-install --target value. */
  readonly target: 'i386-pc' | 'x86_64-efi' | 'arm64-efi';
  readonly firmware: 'bios' | 'uefi';
}

export function efiTarget(architecture: Architecture): GrubTarget {
  return { target: architecture === 'arm64' ? 'arm64-efi' : 'x86_64-efi', firmware: 'uefi' };
}

/** The GRUB platforms to install, BIOS first (the order grub-cloud-amd64 uses). */
export function grubTargets(manifest: Manifest): GrubTarget[] {
  const mode = bootMode(manifest);
  const arch = manifest.data.system.architecture;
  const targets: GrubTarget[] = [];
  if (mode === 'bios' || mode === 'hybrid') targets.push({ target: 'i386-pc', firmware: 'bios' });
  if (mode === 'uefi' || mode === 'hybrid') targets.push(efiTarget(arch));
  return targets;
}
