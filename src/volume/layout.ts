/**
 * Partition layout: from the manifest's `volume.partitions` to byte offsets, with bootstrap-vz's
 * semantics (bootstrapvz/base/fs/partitionmaps/{none,msdos,gpt}.py) and 1 MiB alignment.
 *
 * Sizes: the volume is the sum of the declared sizes (plus the ESP, which bootstrap-vz never had), and
 * the partition table's own overhead (the 1 MiB lead-in holding the MBR/primary GPT, the 1 MiB
 * bios_grub partition, the 1 MiB tail holding the backup GPT) comes out of the root partition, like
 * bootstrap-vz took it out of its neighbours. So `root: 8GiB` alone still gives an 8 GiB disk and an
 * 8 GiB EBS volume (EBS sizes are whole GiB; rounding `root + overhead` up would add a GiB).
 * When a provider imposes a larger `volumeSize` (EBS rounding up), root also takes the rest.
 */
import type { PartitionInfo } from '../api/build-state.js';
import type { Bootloader, BootMode, Filesystem, PartitionsSpec } from '../api/manifest.js';
import { GiB, MiB, formatSize, parseSize } from '../api/size.js';

/** Every partition starts on a 1 MiB boundary (what fdisk/parted use; good for 4K and SSD erase blocks). */
export const ALIGNMENT = MiB;
export const SECTOR_SIZE = 512;
/**
 * Default ESP size. 127 MiB ends the bios_grub + ESP pair on a 128 MiB boundary (Fedora CoreOS uses
 * the same 1 MiB + 127 MiB pair), is well above FAT32's ~32 MiB minimum, and holds grub, shim and a
 * fallback copy many times over (kernels live in /boot, not on the ESP). Override with
 * `volume.partitions.efi.size`.
 */
export const DEFAULT_ESP_SIZE = 127 * MiB;
/** mkfs.vfat -F 32 needs 65525 clusters; with 512-byte clusters that is just under 32 MiB. */
export const MIN_ESP_SIZE = 32 * MiB;
/** mkfs.xfs since xfsprogs 5.19 (bookworm ships 6.1) refuses filesystems under 300 MiB. */
export const MIN_XFS_SIZE = 300 * MiB;
/** MBR or primary GPT (34 sectors) plus alignment; also the gap grub-pc embeds core.img in on msdos. */
const LEAD_IN = MiB;
/** Backup GPT (33 sectors) at the end, rounded to the alignment so root stays a whole number of MiB. */
const GPT_TAIL = MiB;
const BIOS_GRUB_SIZE = MiB;
/** Keys of volume.partitions that are not named gpt extras. */
const RESERVED_KEYS = new Set(['type', 'root', 'boot', 'swap', 'efi']);
/**
 * A named gpt partition is mounted at `/<name>`, so bootstrap-vz's `var/tmp` means /var/tmp: path
 * segments of letters, digits, "_", "." and "-" (never "." or ".." alone), at most 36 characters,
 * which is what a GPT partition name holds.
 */
const EXTRA_NAME = /^(?=.{1,36}$)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** A manifest problem found while planning; `pointer` is the JSON pointer the manifest checks report at. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
  constructor(
    readonly pointer: string,
    message: string,
    readonly hint?: string,
  ) {
    super(`${pointer}: ${message}`);
  }
}

export interface PlannedPartition extends PartitionInfo {
  /** msdos: the boot flag; gpt: the LegacyBIOSBootable attribute (extlinux's gptmbr.bin looks for it). */
  readonly bootable: boolean;
  readonly formatCommand?: readonly string[];
}

export interface VolumeLayout {
  readonly partitionMap: 'none' | 'msdos' | 'gpt';
  readonly sizeBytes: number;
  readonly partitions: readonly PlannedPartition[];
}

export interface LayoutOptions {
  readonly bootloader: Bootloader;
  readonly bootMode: BootMode;
  /** Total size imposed by the provider (e.g. whole GiB for EBS); at least the planned size. */
  readonly volumeSize?: number;
}

interface Request {
  readonly name: string;
  readonly pointer: string;
  readonly bytes: number;
  readonly filesystem?: Filesystem | 'vfat' | 'swap';
  readonly mountpoint?: string;
  readonly mountopts?: readonly string[];
  readonly formatCommand?: readonly string[];
}

export function alignUp(bytes: number, to = ALIGNMENT): number {
  return Math.ceil(bytes / to) * to;
}

export function alignDown(bytes: number, to = ALIGNMENT): number {
  return Math.floor(bytes / to) * to;
}

/** EBS volumes (and snapshots) are sized in whole GiB, at least 1. */
export function roundUpToGiB(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / GiB)) * GiB;
}

/** Names of the gpt extras in manifest order (every key but type, root, boot, swap and efi). */
export function extraPartitionNames(spec: PartitionsSpec): string[] {
  return Object.keys(spec).filter((k) => !RESERVED_KEYS.has(k));
}

export function planLayout(spec: PartitionsSpec, opts: LayoutOptions): VolumeLayout {
  const map = spec.type;
  const uefi = opts.bootMode === 'uefi' || opts.bootMode === 'hybrid';
  if (uefi && map !== 'gpt') {
    throw new LayoutError(
      '/volume/partitions/type',
      `system.boot_mode "${opts.bootMode}" needs a gpt partition map, not "${map}"`,
      'set volume.partitions.type to gpt',
    );
  }
  const extras = extraPartitionNames(spec);
  if (map !== 'gpt' && extras.length > 0) {
    throw new LayoutError(
      `/volume/partitions/${extras[0]}`,
      `named partitions need a gpt partition map, not "${map}"`,
      'set volume.partitions.type to gpt, or remove the extra partitions (bootstrap-vz had the same rule)',
    );
  }
  const root = fsRequest('root', '/', spec.root);
  if (map === 'none') {
    for (const key of ['boot', 'swap'] as const) {
      if (spec[key] !== undefined) {
        throw new LayoutError(
          `/volume/partitions/${key}`,
          `a ${key} partition needs a partition map, not "none"`,
        );
      }
    }
    const size = checkVolumeSize(opts, alignUp(root.bytes));
    return { partitionMap: 'none', sizeBytes: size, partitions: [toPlanned(root, 0, 0, size, false)] };
  }

  const biosGrub = map === 'gpt' && opts.bootloader === 'grub' && opts.bootMode !== 'uefi';
  const before: Request[] = [];
  if (uefi) before.push(espRequest(spec));
  if (spec.boot) before.push(fsRequest('boot', '/boot', spec.boot));
  if (spec.swap) before.push(swapRequest(spec.swap));
  const after = extras.map((name) => fsRequest(name, `/${name}`, extraSpec(spec, name)));

  const declared = [...before, root, ...after].reduce((sum, r) => sum + alignUp(r.bytes), 0);
  const total = checkVolumeSize(opts, declared);
  const overhead = LEAD_IN + (map === 'gpt' ? GPT_TAIL : 0) + (biosGrub ? BIOS_GRUB_SIZE : 0);
  const others = [...before, ...after].reduce((sum, r) => sum + alignUp(r.bytes), 0);
  const rootBytes = alignDown(total - overhead - others);
  if (rootBytes < ALIGNMENT) {
    throw new LayoutError(
      '/volume/partitions/root/size',
      `root (${formatSize(root.bytes)}) is too small: the partition table takes ${formatSize(overhead)} of it`,
    );
  }
  checkMinimum({ ...root, bytes: rootBytes });

  // bootstrap-vz puts the boot flag on boot, else root; on gpt only when grub is not the bootloader.
  const bootableName =
    map === 'msdos' || opts.bootloader !== 'grub' ? (spec.boot ? 'boot' : 'root') : undefined;
  const ordered: Request[] = [
    ...(biosGrub ? [{ name: 'bios_grub', pointer: '/volume/partitions', bytes: BIOS_GRUB_SIZE }] : []),
    ...before,
    { ...root, bytes: rootBytes },
    ...after,
  ];
  let offset = LEAD_IN;
  const partitions = ordered.map((r, i) => {
    const size = alignUp(r.bytes);
    const planned = toPlanned(r, i + 1, offset, size, r.name === bootableName);
    offset += size;
    return planned;
  });
  return { partitionMap: map, sizeBytes: total, partitions };
}

function checkVolumeSize(opts: LayoutOptions, needed: number): number {
  if (opts.volumeSize === undefined) return needed;
  if (opts.volumeSize < needed) {
    throw new LayoutError(
      '/volume',
      `the volume size ${formatSize(opts.volumeSize)} is smaller than the partitions need (${formatSize(needed)})`,
    );
  }
  if (opts.volumeSize % SECTOR_SIZE !== 0) {
    throw new LayoutError(
      '/volume',
      `the volume size ${opts.volumeSize} is not a whole number of 512-byte sectors`,
    );
  }
  return opts.volumeSize;
}

function toPlanned(
  r: Request,
  number: number,
  start: number,
  size: number,
  bootable: boolean,
): PlannedPartition {
  return {
    name: r.name,
    number,
    startBytes: start,
    sizeBytes: size,
    bootable,
    ...(r.filesystem !== undefined ? { filesystem: r.filesystem } : {}),
    ...(r.mountpoint !== undefined ? { mountpoint: r.mountpoint } : {}),
    ...(r.mountopts !== undefined ? { mountopts: r.mountopts } : {}),
    ...(r.formatCommand !== undefined ? { formatCommand: r.formatCommand } : {}),
  };
}

function bytesAt(pointer: string, size: unknown): number {
  if (typeof size !== 'string') throw new LayoutError(pointer, 'a size such as 512MiB or 8GiB is required');
  try {
    const bytes = parseSize(size);
    if (bytes <= 0) throw new RangeError(`size "${size}" must be larger than 0`);
    return bytes;
  } catch (err) {
    throw new LayoutError(pointer, (err as Error).message);
  }
}

function fsRequest(name: string, mountpoint: string, spec: PartitionsSpec['root']): Request {
  const pointer = `/volume/partitions/${name}`;
  const r: Request = {
    name,
    pointer,
    bytes: bytesAt(`${pointer}/size`, spec.size),
    filesystem: spec.filesystem,
    mountpoint,
    ...(spec.mountopts !== undefined ? { mountopts: spec.mountopts } : {}),
    ...(spec.format_command !== undefined ? { formatCommand: spec.format_command } : {}),
  };
  if (name !== 'root') checkMinimum({ ...r, bytes: alignUp(r.bytes) });
  return r;
}

function checkMinimum(r: Request): void {
  if (r.filesystem === 'xfs' && r.formatCommand === undefined && r.bytes < MIN_XFS_SIZE) {
    throw new LayoutError(
      `${r.pointer}/size`,
      `xfs needs at least ${formatSize(MIN_XFS_SIZE)} (mkfs.xfs refuses smaller filesystems); ${r.name} would be ${formatSize(r.bytes)}`,
    );
  }
}

function swapRequest(spec: { readonly size: string }): Request {
  return {
    name: 'swap',
    pointer: '/volume/partitions/swap',
    bytes: bytesAt('/volume/partitions/swap/size', spec.size),
    filesystem: 'swap',
  };
}

function espRequest(spec: PartitionsSpec): Request {
  const efi = spec['efi'] as { readonly size?: unknown } | undefined;
  const bytes = efi?.size === undefined ? DEFAULT_ESP_SIZE : bytesAt('/volume/partitions/efi/size', efi.size);
  if (bytes < MIN_ESP_SIZE) {
    throw new LayoutError(
      '/volume/partitions/efi/size',
      `the EFI system partition needs at least ${formatSize(MIN_ESP_SIZE)} for FAT32, not ${formatSize(bytes)}`,
    );
  }
  return {
    name: 'efi',
    pointer: '/volume/partitions/efi',
    bytes,
    filesystem: 'vfat',
    mountpoint: '/boot/efi',
  };
}

function extraSpec(spec: PartitionsSpec, name: string): PartitionsSpec['root'] {
  const pointer = `/volume/partitions/${name}`;
  if (!EXTRA_NAME.test(name) || name === 'bios_grub') {
    throw new LayoutError(
      pointer,
      `partition name "${name}" must be a path of 1-36 letters, digits, "_", ".", "-" and "/" (like var/tmp), and not bios_grub`,
    );
  }
  const value = spec[name];
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { filesystem?: unknown }).filesystem !== 'string'
  ) {
    throw new LayoutError(pointer, 'a named partition needs a filesystem and a size');
  }
  return value as PartitionsSpec['root'];
}
