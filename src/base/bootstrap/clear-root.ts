/**
 * Empties the image root before a bootstrap retry. The root is a mounted filesystem that may have
 * other filesystems mounted inside it (/boot, /boot/efi): those mount points and every lost+found at
 * the top of a filesystem stay, everything else goes. `keep` are directories left whole (the build's
 * apt archive mounted inside: what the failed attempt downloaded serves the next one).
 */
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isAtOrBelow, mountsBelow } from './mounts-below.js';

export async function clearRoot(
  root: string,
  mounts?: readonly string[],
  keep: readonly string[] = [],
): Promise<void> {
  const mountPoints = mounts ?? (await mountsBelow(root));
  const filesystemTops = new Set([resolve(root), ...mountPoints.map((m) => resolve(m))]);
  await clearDir(resolve(root), filesystemTops, new Set(keep.map((k) => resolve(k))));
}

async function clearDir(dir: string, tops: ReadonlySet<string>, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if (name === 'lost+found' && tops.has(dir)) continue;
    if (keep.has(path)) continue;
    const holdsMount = [...tops, ...keep].some((top) => top !== dir && isAtOrBelow(top, path));
    if (holdsMount) await clearDir(path, tops, keep);
    else await rm(path, { recursive: true, force: true });
  }
}
