/**
 * Defaults shared by the bootstrap and apt tasks. bootstrap-vz had no persistent cache outside the
 * workspace; the cache directory is named after this project so it never collides with a
 * bootstrap-vz installation on the same host.
 */
import { join } from 'node:path';
import type { Manifest } from '../../api/index.js';

/**
 * Where bootstrap tarballs, downloaded .deb files and parsed package indices persist between builds,
 * unless the manifest sets `bootstrapper.cache_dir`. BOOTSTRAP_CACHE_DIR moves it (the integration
 * tests keep their own, apart from the host's real builds).
 */
export const DEFAULT_CACHE_DIR = process.env['BOOTSTRAP_CACHE_DIR'] || '/var/cache/debian-image-bootstrap';

/** Debian's redirector; used when neither the manifest nor the host's apt sources name a mirror. */
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian/';

/** Security archive (bootstrap-vz's `packages.security` overrides it). */
export const DEFAULT_SECURITY_MIRROR = 'http://deb.debian.org/debian-security/';

export function cacheDir(manifest: Manifest): string {
  const dir = manifest.data.bootstrapper['cache_dir'];
  return typeof dir === 'string' && dir !== '' ? dir : DEFAULT_CACHE_DIR;
}

/** Directory of bootstrap tarballs, `<cache_dir>/bootstrap`. */
export function bootstrapCacheDir(manifest: Manifest): string {
  return join(cacheDir(manifest), 'bootstrap');
}

/** Persistent apt archive of .deb files, `<cache_dir>/archives`. */
export function debCacheDir(manifest: Manifest): string {
  return join(cacheDir(manifest), 'archives');
}

/**
 * Whether the bootstrap tarball cache is used. On by default (`bootstrapper.cache: false` turns it
 * off); bootstrap-vz's `bootstrapper.tarball: true` ("keep a tarball of the bootstrap for the next
 * build") is exactly what the cache does, so it forces the cache on.
 */
export function bootstrapCacheEnabled(manifest: Manifest): boolean {
  const b = manifest.data.bootstrapper;
  return b.tarball === true || b['cache'] !== false;
}

/** Whether downloaded .deb files are kept in `<cache_dir>/archives` (`bootstrapper.cache: false` turns it off). */
export function debCacheEnabled(manifest: Manifest): boolean {
  return manifest.data.bootstrapper['cache'] !== false;
}
