/**
 * Temporary /dev/disk/by-uuid and /dev/disk/by-partuuid links for the volume's partitions.
 * This host has no udev, and grub-mkconfig writes `root=/dev/loopXpY` when
 * /dev/disk/by-uuid/<root uuid> is missing (10_linux tests for the link), which makes the image
 * unbootable. The links live on the host's /dev, which the chroot sees through its bind mount.
 * Only links and directories this module created are recorded and removed; links udev made on a
 * host that has udev are left alone.
 */
import { rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stateKey, type TaskContext, type VolumeInfo } from '../../api/index.js';

export interface DiskLink {
  readonly path: string;
  readonly target: string;
}

/** Paths created and not yet removed, newest last (links and the directories made for them). */
export const TEMP_DISK_PATHS = stateKey<{ path: string; kind: 'dir' | 'link' }[]>(
  'base/update-grub/temp-disk-paths',
  () => [],
);

export function diskLinks(volume: VolumeInfo, devDir = '/dev'): DiskLink[] {
  const links: DiskLink[] = [];
  for (const p of volume.partitions) {
    if (p.device === undefined) continue;
    if (p.uuid !== undefined) links.push({ path: join(devDir, 'disk/by-uuid', p.uuid), target: p.device });
    if (p.partuuid !== undefined)
      links.push({ path: join(devDir, 'disk/by-partuuid', p.partuuid), target: p.device });
  }
  return links;
}

export async function createDiskLinks(
  ctx: TaskContext,
  links: readonly DiskLink[],
  devDir = '/dev',
): Promise<void> {
  const created = ctx.state.get(TEMP_DISK_PATHS);
  for (const dir of [join(devDir, 'disk'), join(devDir, 'disk/by-uuid'), join(devDir, 'disk/by-partuuid')]) {
    if (await ctx.fs.exists(dir)) continue;
    // Recorded before creating, so a failure halfway still gets cleaned up.
    created.push({ path: dir, kind: 'dir' });
    await ctx.fs.mkdir(dir, { mode: 0o755 });
  }
  for (const link of links) {
    if (await ctx.fs.exists(link.path)) {
      ctx.log('debug', `${link.path} exists already; leaving it as it is`);
      continue;
    }
    created.push({ path: link.path, kind: 'link' });
    await symlinkInDir(ctx, link);
  }
}

/**
 * Creates the link, re-creating its directory first: a concurrent build on this host may have just
 * removed the (then empty) directory on its way out. One retry covers that race.
 */
async function symlinkInDir(ctx: TaskContext, link: DiskLink): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await ctx.fs.mkdir(dirname(link.path), { mode: 0o755 });
    try {
      await ctx.fs.symlink(link.target, link.path);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 2) throw e;
    }
  }
}

/**
 * Removes what createDiskLinks made, newest first. Idempotent. Directories are removed only when empty:
 * a concurrent build on the same host may have put its own links in them. On a host without udev the
 * standard directories are also removed when empty, whoever made them, so the last of several
 * concurrent builds leaves no /dev/disk behind; with udev running they belong to udev and stay.
 */
export async function removeDiskLinks(ctx: TaskContext, devDir = '/dev'): Promise<void> {
  const created = ctx.state.get(TEMP_DISK_PATHS);
  for (let entry = created.at(-1); entry !== undefined; entry = created.at(-1)) {
    if (entry.kind === 'link' || ctx.dryRun) await ctx.fs.remove(entry.path);
    else await rmdirIfEmpty(entry.path);
    created.pop();
  }
  if (ctx.dryRun || (await ctx.fs.exists('/run/udev/control'))) return;
  for (const dir of ['disk/by-partuuid', 'disk/by-uuid', 'disk']) await rmdirIfEmpty(join(devDir, dir));
}

async function rmdirIfEmpty(path: string): Promise<void> {
  await rmdir(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT' && e.code !== 'ENOTEMPTY' && e.code !== 'ENOTDIR') throw e;
  });
}
