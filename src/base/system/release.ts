/**
 * Release comparisons for choices that depend on the Debian release (package names, config layout).
 * The numeric version comes from the release table; sid and other non-numeric versions sort above all.
 */
import type { Manifest } from '../../api/index.js';

export function releaseNumber(manifest: Manifest): number {
  const n = Number.parseFloat(manifest.release.version);
  return Number.isNaN(n) ? Number.POSITIVE_INFINITY : n;
}

/** True when the manifest's release is `version` (e.g. 11 = bullseye) or newer. */
export function releaseAtLeast(manifest: Manifest, version: number): boolean {
  return releaseNumber(manifest) >= version;
}
