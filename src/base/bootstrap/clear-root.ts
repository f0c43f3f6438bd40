/**
 * Empties the image root before a bootstrap retry. The root is a mounted filesystem that may have
 * other filesystems mounted inside it (/boot, /boot/efi): those mount points and every lost+found at
 * the top of a filesystem stay, everything else goes.
 */
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isAtOrBelow, mountsBelow } from './mounts-below.js';

export async function clearRoot(root: string, mounts?: readonly string[]): Promise<void> {
  const mountPoints = mounts ?? (await mountsBelow(root));
  const filesystemTops = new Set([resolve(root), ...mountPoints.map((m) => resolve(m))]);
  await clearDir(resolve(root), filesystemTops);
}

async function clearDir(dir: string, tops: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name === 'lost+found' && tops.has(dir)) continue;
    const holdsMount = [...tops].some((top) => top !== dir && isAtOrBelow(top, path));
    if (holdsMount) await clearDir(path, tops);
    else await rm(path, { recursive: true, force: true });
  }
}
