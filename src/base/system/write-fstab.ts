/**
 * System modification: /etc/fstab from the volume layout, every filesystem by UUID (bootstrap-vz FStab).
 * Build-host device names (/dev/loop0p1) must never appear: the image boots on /dev/xvda, /dev/vda or
 * /dev/nvme0n1. Order: root first, then mount points parents before children (/boot before /boot/efi),
 * then swap. fsck pass: 1 for an ext* root, 2 for other ext* and vfat, 0 for xfs and btrfs, whose fsck
 * helpers do nothing at boot.
 */
import { BuildError, fstabField, type PartitionInfo, type Task, type VolumeInfo } from '../../api/index.js';
import { imageRoot, inImage, requireVolume } from './image-paths.js';
import { renderTemplate } from './render-template.js';

export interface FstabEntry {
  readonly spec: string;
  readonly file: string;
  readonly type: string;
  readonly options: string;
  readonly dump: number;
  readonly pass: number;
}

function mountpointOf(p: PartitionInfo): string | undefined {
  return p.name === 'root' ? (p.mountpoint ?? '/') : p.mountpoint;
}

function depth(path: string): number {
  return path === '/' ? 0 : path.split('/').length - 1;
}

function entryFor(p: PartitionInfo, file: string): FstabEntry {
  if (p.uuid === undefined) {
    throw new Error(
      `partition ${p.name} has no filesystem UUID; the format task must set it before fstab is written`,
    );
  }
  const spec = `UUID=${p.uuid}`;
  if (p.filesystem === 'swap') return { spec, file: 'none', type: 'swap', options: 'sw', dump: 0, pass: 0 };
  const fs = p.filesystem;
  if (fs === undefined)
    throw new BuildError(`partition ${p.name} is mounted at ${file} but has no filesystem`);
  const given = p.mountopts && p.mountopts.length > 0 ? p.mountopts.join(',') : undefined;
  // The ESP holds boot loaders only root should read; umask=0077 is what debian-installer writes.
  const options = fs === 'vfat' ? (given ?? 'umask=0077') : (given ?? 'defaults');
  const pass = fs === 'xfs' || fs === 'btrfs' ? 0 : file === '/' ? 1 : 2;
  return { spec, file, type: fs, options, dump: 0, pass };
}

export function fstabEntries(volume: VolumeInfo): FstabEntry[] {
  const mounted: { p: PartitionInfo; file: string }[] = [];
  const swaps: PartitionInfo[] = [];
  for (const p of volume.partitions) {
    if (p.filesystem === 'swap') swaps.push(p);
    else {
      const file = mountpointOf(p);
      if (file !== undefined) mounted.push({ p, file });
    }
  }
  if (!mounted.some((m) => m.file === '/')) throw new Error('the volume layout has no root filesystem');
  mounted.sort((a, b) => depth(a.file) - depth(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return [...mounted.map((m) => entryFor(m.p, m.file)), ...swaps.map((p) => entryFor(p, 'none'))];
}

/**
 * The fields escaped for fstab (fstabField: octal for blanks and backslashes, newlines refused), so a
 * mount point or option from the manifest can neither shift a field nor add a line.
 */
export function renderFstab(volume: VolumeInfo): string {
  const entries = fstabEntries(volume).map((e) => ({
    ...e,
    spec: fstabField(e.spec, 'the fstab device'),
    file: fstabField(e.file, 'the mount point'),
    type: fstabField(e.type, 'the filesystem type'),
    options: fstabField(e.options, 'the mount options'),
  }));
  const width = (f: (e: FstabEntry) => string) => Math.max(...entries.map((e) => f(e).length));
  const w = {
    spec: width((e) => e.spec),
    file: width((e) => e.file),
    type: width((e) => e.type),
    options: width((e) => e.options),
  };
  const rows = entries.map((e) =>
    [
      e.spec.padEnd(w.spec),
      e.file.padEnd(w.file),
      e.type.padEnd(w.type),
      e.options.padEnd(w.options),
      e.dump,
      e.pass,
    ].join(' '),
  );
  return renderTemplate('system/fstab.njk', { rows });
}

export const writeFstab: Task = {
  id: 'base/write-fstab',
  phase: 'system-modification',
  description: 'Write /etc/fstab with filesystem UUIDs',
  async run(ctx) {
    const root = imageRoot(ctx);
    await ctx.fs.writeFile(inImage(root, '/etc/fstab'), renderFstab(requireVolume(ctx)), { mode: 0o644 });
  },
};
