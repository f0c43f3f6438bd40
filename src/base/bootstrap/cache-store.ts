/**
 * The bootstrap cache on disk: `<cache_dir>/bootstrap/<key>.tar` with a `<key>.json` sidecar that
 * says what the key stands for. Entries are written to `<key>.tar.partial-<pid>` and renamed into
 * place, so a reader never sees a half-written tarball, even across concurrent builds.
 */
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CacheEntryPaths {
  readonly tarball: string;
  readonly sidecar: string;
  readonly lock: string;
  /** This process's temporary file; removed on failure. */
  readonly partial: string;
}

export function cacheEntryPaths(dir: string, key: string, pid = process.pid): CacheEntryPaths {
  const tarball = join(dir, `${key}.tar`);
  return {
    tarball,
    sidecar: join(dir, `${key}.json`),
    lock: join(dir, `${key}.lock`),
    partial: `${tarball}.partial-${pid}`,
  };
}

export async function cacheHit(paths: CacheEntryPaths): Promise<boolean> {
  const info = await stat(paths.tarball).catch(() => undefined);
  return info !== undefined && info.isFile() && info.size > 0;
}

export async function ensureCacheDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
}

/**
 * Publishes a finished partial tarball under its key. The sidecar goes first: a tarball is only
 * ever visible together with its description.
 */
export async function publishEntry(paths: CacheEntryPaths, inputs: Record<string, unknown>): Promise<void> {
  const sidecar = { ...inputs, created: new Date().toISOString() };
  await writeFile(`${paths.sidecar}.partial-${process.pid}`, `${JSON.stringify(sidecar, null, 2)}\n`);
  await rename(`${paths.sidecar}.partial-${process.pid}`, paths.sidecar);
  await rename(paths.partial, paths.tarball);
}

export async function removePartials(paths: CacheEntryPaths): Promise<void> {
  await rm(paths.partial, { force: true });
  await rm(`${paths.sidecar}.partial-${process.pid}`, { force: true });
}
