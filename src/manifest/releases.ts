/**
 * Debian releases from data/releases.yml. Aliases are computed for a given date: stable is the newest
 * release out by then, oldstable and oldoldstable the two before it, testing the first unreleased one
 * after stable, unstable is sid. So `stable` means bookworm for a build on 2024-01-01 and trixie on
 * 2026-11-23, with nothing to edit when Debian releases.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ReleaseInfo } from '../api/manifest.js';
import { packageRoot } from '../api/package-root.js';

export interface ReleaseRecord {
  readonly codename: string;
  /** Release number; for sid, one above the highest listed number, so it sorts above all. */
  readonly version: string;
  /** ISO date (YYYY-MM-DD); absent while unreleased. */
  readonly released?: string;
  /** End of regular security support, when known. */
  readonly eol?: string;
}

export const RELEASE_ALIASES = ['stable', 'oldstable', 'oldoldstable', 'testing', 'unstable'] as const;
export type ReleaseAlias = (typeof RELEASE_ALIASES)[number];

interface Table {
  readonly releases: readonly ReleaseRecord[];
  readonly minimum: string;
  readonly tested: readonly string[];
}

let table: Table | undefined;

function load(): Table {
  if (table) return table;
  const file = join(packageRoot(), 'data', 'releases.yml');
  const raw = parse(readFileSync(file, 'utf8')) as {
    releases?: unknown;
    minimum?: unknown;
    tested?: unknown;
  };
  if (
    !Array.isArray(raw.releases) ||
    typeof raw.minimum !== 'string' ||
    !Array.isArray(raw.tested) ||
    !raw.tested.every((t) => typeof t === 'string')
  )
    throw new Error(`${file}: malformed release table`);
  const rows = raw.releases as { codename: string; version?: string; released?: string; eol?: string }[];
  const top = Math.max(
    ...rows.filter((r) => r.version !== undefined).map((r) => Math.floor(Number(r.version))),
  );
  const releases = rows.map((r) => ({
    codename: r.codename,
    version: r.version ?? String(top + 1),
    ...(r.released ? { released: r.released } : {}),
    ...(r.eol ? { eol: r.eol } : {}),
  }));
  return (table = {
    releases: releases.sort((a, b) => compareVersions(a.version, b.version)),
    minimum: raw.minimum,
    tested: raw.tested as string[],
  });
}

/** Every release in the table, oldest first. */
export function knownReleases(): readonly ReleaseRecord[] {
  return load().releases;
}

/** The oldest release this project builds. */
export function minimumRelease(): ReleaseRecord {
  const t = load();
  const r = t.releases.find((x) => x.codename === t.minimum);
  if (!r) throw new Error(`data/releases.yml: minimum release "${t.minimum}" is not in the table`);
  return r;
}

/** Numeric comparison of release versions ("3.1" < "10"). */
export function compareVersions(a: string, b: string): number {
  return Number(a) - Number(b);
}

function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** What each alias means on the given date (an alias is absent when nothing fits, e.g. before buzz). */
export function releaseAliases(now: Date): Partial<Record<ReleaseAlias, string>> {
  const day = isoDay(now);
  const all = knownReleases();
  const sid = all.find((r) => r.codename === 'sid');
  const released = all.filter((r) => r.released !== undefined && r.released <= day && r !== sid);
  const out: Partial<Record<ReleaseAlias, string>> = {};
  const [stable, oldstable, oldoldstable] = [...released].reverse();
  if (stable) out.stable = stable.codename;
  if (oldstable) out.oldstable = oldstable.codename;
  if (oldoldstable) out.oldoldstable = oldoldstable.codename;
  const testing = all.find(
    (r) => r !== sid && !released.includes(r) && (!stable || compareVersions(r.version, stable.version) > 0),
  );
  if (testing) out.testing = testing.codename;
  if (sid) out.unstable = sid.codename;
  return out;
}

/** A codename or alias (case-insensitive) as the release it means on `now`; undefined when unknown. */
export function resolveRelease(name: string, now: Date): ReleaseInfo | undefined {
  const wanted = name.trim().toLowerCase();
  const aliases = releaseAliases(now);
  const codename = (aliases as Record<string, string | undefined>)[wanted] ?? wanted;
  const record = knownReleases().find((r) => r.codename === codename);
  if (!record) return undefined;
  return { codename: record.codename, version: record.version, requested: name, suite: record.codename };
}

/** Every name resolveRelease accepts (codenames, then aliases), for suggestions. */
export function releaseNames(): string[] {
  return [...knownReleases().map((r) => r.codename), ...RELEASE_ALIASES];
}

/** True when a release is older than the oldest one supported. */
export function isTooOld(release: ReleaseInfo): boolean {
  return compareVersions(release.version, minimumRelease().version) < 0;
}

/** The releases the integration tests build and boot, oldest first. */
export function testedReleases(): readonly ReleaseRecord[] {
  const t = load();
  return t.tested.map((codename) => {
    const r = t.releases.find((x) => x.codename === codename);
    if (!r) throw new Error(`data/releases.yml: tested release "${codename}" is not in the table`);
    return r;
  });
}

/**
 * True when a release is newer than every tested one (forky, sid): it plans and builds, but its
 * package names and defaults are the newest tested release's, not proven.
 */
export function isBestEffort(release: ReleaseInfo): boolean {
  const newest = testedReleases().reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b));
  return compareVersions(release.version, newest.version) > 0;
}
