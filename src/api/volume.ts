/**
 * The volume the image is built in, as the build state's `VOLUME` holds it (src/api/build-state.ts):
 * a record with an explicit state that only the transition functions below change, each checking the
 * state it starts from and refusing a wrong one with a BuildError.
 *
 *   planned --attach--> attached --mount--> mounted --unmount--> attached --detach--> detached
 *   detached --export--> exported (file backings: the image file written in its output format)
 *
 * Two paths are kept apart and never change meaning: `rawImagePath`, the raw image file the build
 * writes (file backings), and `output`, the exported artefact in its format (raw, qcow2, vmdk, vdi).
 * A raw export moves the raw file to the output, so a reader that needs the raw bytes after the
 * export asks `rawImageFile()`, which says where they are whatever the format.
 *
 * Rollback goes through `rollBack*`, which never throw: an undo may run whatever happened before.
 */
import { isFileBacking, type Backing, type ImageFormat } from './backing.js';
import type { PartitionInfo } from './build-state.js';
import { BuildError } from './task.js';

export type VolumeState = 'planned' | 'attached' | 'mounted' | 'detached' | 'exported';

export interface VolumeOutput {
  /** Where the exported image is (its temporary name until base/replace-output, with --force). */
  readonly path: string;
  readonly format: ImageFormat;
}

export interface VolumeInfo {
  readonly backing: Backing;
  /** Where the volume is in its life; changed only by the functions of this module. */
  readonly state: VolumeState;
  /** The raw image file the build writes, for file backings (base/create-image-file). */
  readonly rawImagePath?: string;
  /** The exported image, once base/export-image wrote it. */
  readonly output?: VolumeOutput;
  /**
   * Whole-disk device node while attached (/dev/loop0, /dev/nvme1n1); `volumeAttached` sets it and
   * `volumeDetached` clears it.
   */
  device?: string;
  readonly sizeBytes: number;
  readonly partitionMap: 'none' | 'msdos' | 'gpt';
  readonly partitions: PartitionInfo[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The record base/plan-volume stores: state `planned`, no image file, no device. */
export function plannedVolume(layout: {
  readonly backing: Backing;
  readonly sizeBytes: number;
  readonly partitionMap: VolumeInfo['partitionMap'];
  readonly partitions: readonly PartitionInfo[];
}): VolumeInfo {
  return {
    backing: layout.backing,
    state: 'planned',
    sizeBytes: layout.sizeBytes,
    partitionMap: layout.partitionMap,
    partitions: layout.partitions.map((p) => ({ ...p })),
  };
}

function move(volume: VolumeInfo, action: string, from: readonly VolumeState[], to: VolumeState): void {
  if (!from.includes(volume.state)) {
    throw new BuildError(
      `cannot ${action} the ${volume.backing} volume: it is ${volume.state}, not ${from.join(' or ')}`,
    );
  }
  (volume as Mutable<VolumeInfo>).state = to;
}

/** base/create-image-file: the raw image file of a file backing exists, before it is attached. */
export function volumeImageCreated(volume: VolumeInfo, path: string): void {
  if (!isFileBacking(volume.backing)) throw new BuildError(`the ${volume.backing} volume has no image file`);
  if (volume.state !== 'planned' || volume.rawImagePath !== undefined) {
    throw new BuildError(
      `cannot create the volume's image file ${path}: the volume is ${volume.state}` +
        (volume.rawImagePath !== undefined ? ` with the image file ${volume.rawImagePath}` : ''),
    );
  }
  (volume as Mutable<VolumeInfo>).rawImagePath = path;
}

/** A loop device or a cloud disk now holds the volume, as `device`. */
export function volumeAttached(volume: VolumeInfo, device: string): void {
  if (isFileBacking(volume.backing) && volume.rawImagePath === undefined)
    throw new BuildError('cannot attach the volume: its image file was not created');
  move(volume, 'attach', ['planned', 'detached'], 'attached');
  volume.device = device;
}

export function volumeMounted(volume: VolumeInfo): void {
  move(volume, 'mount', ['attached'], 'mounted');
}

export function volumeUnmounted(volume: VolumeInfo): void {
  move(volume, 'unmount', ['mounted'], 'attached');
}

export function volumeDetached(volume: VolumeInfo): void {
  move(volume, 'detach', ['attached'], 'detached');
  delete volume.device;
}

/** base/export-image: the detached raw image was written to `output` in its format. */
export function volumeExported(volume: VolumeInfo, output: VolumeOutput): void {
  if (volume.rawImagePath === undefined)
    throw new BuildError(`cannot export the ${volume.backing} volume: it has no image file`);
  move(volume, 'export', ['detached'], 'exported');
  (volume as Mutable<VolumeInfo>).output = { ...output };
}

/** base/replace-output: the exported image took its final name. */
export function volumeOutputMoved(volume: VolumeInfo, path: string): void {
  const output = volume.output;
  if (volume.state !== 'exported' || output === undefined)
    throw new BuildError(`cannot move the volume's output to ${path}: it is ${volume.state}`);
  (volume as Mutable<VolumeInfo>).output = { ...output, path };
}

/** Undo of a mount: back to attached if it was mounted; otherwise nothing. */
export function rollBackMount(volume: VolumeInfo): void {
  if (volume.state === 'mounted') (volume as Mutable<VolumeInfo>).state = 'attached';
}

/** Undo of an attach: back to detached (no device) if it was attached or mounted; otherwise nothing. */
export function rollBackAttach(volume: VolumeInfo): void {
  if (volume.state === 'attached' || volume.state === 'mounted') {
    (volume as Mutable<VolumeInfo>).state = 'detached';
    delete volume.device;
  }
}

/** Undo of an export: the output is gone, the volume is detached again. */
export function rollBackExport(volume: VolumeInfo): void {
  if (volume.state !== 'exported') return;
  const v = volume as Mutable<VolumeInfo>;
  v.state = 'detached';
  delete v.output;
}

/**
 * The file that holds the raw image's bytes now, for readers that need a raw file whatever the
 * output format (the boot test, the S3 bundle, the snapshot upload): the output once a raw export
 * moved the image there, else the raw image file. Undefined for a volume without an image file.
 */
export function rawImageFile(volume: VolumeInfo): string | undefined {
  if (volume.output?.format === 'raw') return volume.output.path;
  return volume.rawImagePath;
}
