/**
 * The persistent .deb archive (`<cache_dir>/archives`) and the build's own archive directory
 * (build-archives.ts, bind-mounted on the image's /var/cache/apt/archives). apt keeps a .deb it finds
 * in its archive dir when the hash matches the index, so putting cached files into the build's
 * archive before apt runs, and putting new ones into the cache afterwards, means a second build
 * downloads nothing it already has. Files move as hard links when both directories are on one
 * filesystem (no data is copied; apt and dpkg never write to a .deb in place, they only unlink) and
 * as copies otherwise. Files enter the cache through a rename, so a concurrent reader never sees a
 * half-written .deb.
 */
import { copyFile, link, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

async function debsIn(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.deb'));
}

/**
 * Puts `src` at `dest` through a temporary name and a rename: a hard link when the filesystem allows
 * it, a copy otherwise. A concurrent build placing the same file wins or loses the rename harmlessly:
 * both files hold the same bytes.
 */
async function place(src: string, dest: string): Promise<void> {
  const partial = `${dest}.partial-${process.pid}`;
  try {
    await link(src, partial).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EXDEV' && e.code !== 'EPERM' && e.code !== 'EMLINK') throw e;
      await copyFile(src, partial);
    });
    await rename(partial, dest);
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * Puts cached .deb files into the build's archive dir: all of them (cheap when they are hard links),
 * or only `wanted` (file names as apt names them). Returns how many were added.
 */
export async function seedDebs(
  cacheDir: string,
  archivesDir: string,
  wanted?: Iterable<string>,
): Promise<number> {
  const available = new Set(await debsIn(cacheDir));
  const present = new Set(await debsIn(archivesDir));
  const names = (wanted === undefined ? [...available] : [...wanted].filter((n) => available.has(n))).filter(
    (n) => !present.has(n),
  );
  if (names.length === 0) return 0;
  await mkdir(join(archivesDir, 'partial'), { recursive: true });
  for (const name of names) await place(join(cacheDir, name), join(archivesDir, name));
  return names.length;
}

/** Puts the .deb files of the build's archive dir that the cache lacks into the cache. Returns how many. */
export async function harvestDebs(archivesDir: string, cacheDir: string): Promise<number> {
  const names = await debsIn(archivesDir);
  if (names.length === 0) return 0;
  await mkdir(cacheDir, { recursive: true, mode: 0o755 });
  const cached = new Set(await debsIn(cacheDir));
  let added = 0;
  for (const name of names) {
    if (cached.has(name)) continue;
    await place(join(archivesDir, name), join(cacheDir, name));
    added++;
  }
  return added;
}

/** File names apt would download, from `apt-get --print-uris` output (`'URI' file size hash`). */
export function parsePrintUris(stdout: string): string[] {
  const names: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^'[^']+'\s+(\S+\.deb)\s/.exec(line.trim());
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}
