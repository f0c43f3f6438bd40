/**
 * Well-known build state shared between the base tasks, providers and plugins. Each key names the
 * module that fills it; others read it. See src/api/state.ts for the mechanism.
 */
import type { Filesystem } from './manifest.js';
import { stateKey, type BuildState } from './state.js';
import { BuildError } from './task.js';
import type { VolumeInfo } from './volume.js';

export interface PartitionInfo {
  /** Role: root, boot, swap, efi (EFI system partition), bios_grub, or a named gpt extra. */
  readonly name: string;
  /** 1-based number in the partition table (0 when the volume is unpartitioned). */
  readonly number: number;
  /** Offset and size in bytes within the volume. */
  readonly startBytes: number;
  readonly sizeBytes: number;
  /** What is on it: a filesystem, vfat for the ESP, swap, or nothing (bios_grub). */
  readonly filesystem?: Filesystem | 'vfat' | 'swap';
  /** Where it is mounted inside the image ('/', '/boot', '/boot/efi'...), if anywhere. */
  readonly mountpoint?: string;
  readonly mountopts?: readonly string[];
  /** Host device node while attached, e.g. /dev/loop0p2. */
  device?: string;
  /** Filesystem UUID, filled by the format task (fstab and the bootloader use it). */
  uuid?: string;
  /** GPT partition UUID, filled after partitioning. */
  partuuid?: string;
}

/**
 * Filled by base/plan-volume from the manifest's volume section (`plannedVolume`); its state, image
 * file, device and output change through the transitions of src/api/volume.ts; partitions get devices
 * and UUIDs later.
 */
export const VOLUME = stateKey<VolumeInfo | undefined>('base/volume', () => undefined);

/** Host directory where the image's root filesystem is mounted (filled by base/mount-volume). */
export const ROOT_DIR = stateKey<string | undefined>('base/root-dir', () => undefined);

/** The mounted image root on the host; throws a BuildError when no task has mounted it yet. */
export function imageRoot(ctx: { readonly state: BuildState }): string {
  const root = ctx.state.get(ROOT_DIR);
  if (root === undefined)
    throw new BuildError('the image root is not mounted (base/mount-volume has not run)');
  return root;
}

/** Packages to install in the package-installation phase; plugins add to it during preparation. */
export const PACKAGES = stateKey<Set<string>>('base/packages', () => new Set());

/** Extra packages the bootstrapper must include (e.g. locales when a locale is set). */
export const BOOTSTRAP_INCLUDE = stateKey<Set<string>>('base/bootstrap-include', () => new Set());

/**
 * Set during preparation by plugins that must act between the bootstrap and the installation of the
 * manifest's packages (debconf preseeding, apt_proxy): mmdebstrap then leaves those packages out and
 * base/install-packages installs them with apt in the image afterwards, as bootstrap-vz did.
 */
export const INSTALL_PACKAGES_AFTER_BOOTSTRAP = stateKey<boolean>(
  'base/install-packages-after-bootstrap',
  () => false,
);

/** Kernel command line arguments appended by tasks (console=ttyS0, net.ifnames=0...). */
export const KERNEL_CMDLINE = stateKey<string[]>('base/kernel-cmdline', () => []);

/** Values written to /etc/default/grub; tasks edit the map, base/write-grub-defaults writes it. */
export const GRUB_DEFAULTS = stateKey<Map<string, string>>('base/grub-defaults', () => new Map());

/** Systemd units to enable in the image. */
export const ENABLED_UNITS = stateKey<Set<string>>('base/enabled-units', () => new Set());
