/**
 * Release comparisons, the one place the project compares Debian releases. Everything that differs
 * between releases (apt sources format, package names, defaults) asks here, by release number, with
 * the codename as a named constant. The numbers come from the release table (data/releases.yml); sid
 * has no number there and sorts above every release (the table gives it one above the highest), and
 * a version that is not a number sorts above everything too.
 */
import type { ReleaseInfo } from './manifest.js';

/** Debian release numbers, for readable comparisons: `releaseAtLeast(m.release, DEBIAN.trixie)`. */
export const DEBIAN = {
  wheezy: 7,
  jessie: 8,
  stretch: 9,
  buster: 10,
  bullseye: 11,
  bookworm: 12,
  trixie: 13,
  forky: 14,
} as const;

type HasVersion = Pick<ReleaseInfo, 'version'>;

/** The release as a number (12 for bookworm); sid and non-numeric versions are +Infinity. */
export function releaseNumber(release: HasVersion): number {
  const n = Number.parseFloat(release.version);
  return Number.isNaN(n) ? Number.POSITIVE_INFINITY : n;
}

/** True when the release is `version` (e.g. DEBIAN.trixie) or newer; sid is newer than all. */
export function releaseAtLeast(release: HasVersion, version: number): boolean {
  return releaseNumber(release) >= version;
}

/** True when the release is older than `version`. */
export function releaseBefore(release: HasVersion, version: number): boolean {
  return !releaseAtLeast(release, version);
}
