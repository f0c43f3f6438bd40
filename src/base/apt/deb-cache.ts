/**
 * The persistent .deb archive (`<cache_dir>/archives`). apt keeps a .deb it finds in
 * /var/cache/apt/archives when its hash matches the index, so copying cached files into the image's
 * archive dir before apt runs, and copying new ones out afterwards, means a second build downloads
 * nothing it already has. Copies rather than a bind mount: apt locks its archive dir, so a shared
 * bind mount would make two concurrent builds fail on the lock. Files enter the cache through a
 * rename, so a concurrent reader never sees a half-copied .deb.
 */
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The image's apt archive directory. */
export function rootArchives(root: string): string {
  return join(root, 'var/cache/apt/archives');
}

async function debsIn(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.deb'));
}

/**
 * Copies cached .deb files into the image's archive dir: all of them, or only `wanted` (file names
 * as apt names them). Returns how many were copied.
 */
export async function seedDebs(cacheDir: string, root: string, wanted?: Iterable<string>): Promise<number> {
  const available = new Set(await debsIn(cacheDir));
  const names = wanted === undefined ? [...available] : [...wanted].filter((n) => available.has(n));
  if (names.length === 0) return 0;
  const dest = rootArchives(root);
  await mkdir(join(dest, 'partial'), { recursive: true });
  for (const name of names) await copyFile(join(cacheDir, name), join(dest, name));
  return names.length;
}

/**
 * Copies .deb files from the image's archive dir into the cache (those the cache lacks) and, with
 * `remove`, deletes them from the image. Returns how many were added to the cache.
 */
export async function harvestDebs(
  root: string,
  cacheDir: string,
  opts: { readonly remove: boolean },
): Promise<number> {
  const src = rootArchives(root);
  const names = await debsIn(src);
  if (names.length === 0) return 0;
  await mkdir(cacheDir, { recursive: true, mode: 0o755 });
  const cached = new Set(await debsIn(cacheDir));
  let added = 0;
  for (const name of names) {
    if (!cached.has(name)) {
      const partial = join(cacheDir, `${name}.partial-${process.pid}`);
      try {
        await copyFile(join(src, name), partial);
        await rename(partial, join(cacheDir, name));
        added++;
      } finally {
        await rm(partial, { force: true });
      }
    }
    if (opts.remove) await rm(join(src, name), { force: true });
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

/** Total size of the cache, for log lines. */
export async function cacheSize(cacheDir: string): Promise<number> {
  let total = 0;
  for (const name of await debsIn(cacheDir))
    total += (await stat(join(cacheDir, name)).catch(() => ({ size: 0 }))).size;
  return total;
}
