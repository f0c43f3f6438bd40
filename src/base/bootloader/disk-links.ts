/**
 * Temporary /dev/disk/by-uuid and /dev/disk/by-partuuid links for the volume's partitions.
 * This host has no udev, and grub-mkconfig writes `root=/dev/loopXpY` when
 * /dev/disk/by-uuid/<root uuid> is missing (10_linux tests for the link), which makes the image
 * unbootable. The links live on the host's /dev, which the chroot sees through its bind mount.
 * Only links and directories this module created are recorded and removed; links udev made on a
 * host that has udev are left alone.
 */
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
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
    await ctx.fs.symlink(link.target, link.path);
  }
}

/**
 * Removes what createDiskLinks made, newest first. Idempotent. A directory is removed only when empty:
 * a concurrent build on the same host may have put its own links in it.
 */
export async function removeDiskLinks(ctx: TaskContext): Promise<void> {
  const created = ctx.state.get(TEMP_DISK_PATHS);
  for (let entry = created.at(-1); entry !== undefined; entry = created.at(-1)) {
    if (entry.kind === 'link' || ctx.dryRun) await ctx.fs.remove(entry.path);
    else {
      await rmdir(entry.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT' && e.code !== 'ENOTEMPTY') throw e;
      });
    }
    created.pop();
  }
}
