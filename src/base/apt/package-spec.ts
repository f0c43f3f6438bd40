/**
 * `packages.install` entries, as bootstrap-vz read them: `name`, `name/target` (install from that
 * release, e.g. `linux-image-amd64/bookworm-backports`), or anything else, which is a path to a
 * local .deb file on the build host.
 */
export type PackageSpec =
  | { readonly kind: 'remote'; readonly name: string; readonly target?: string }
  | { readonly kind: 'local'; readonly path: string };

export function parsePackageSpec(entry: string): PackageSpec {
  const m = /^(?<name>[^/]+)(?:\/(?<target>[^/]+))?$/.exec(entry);
  if (m?.groups?.['name'] !== undefined && !entry.endsWith('.deb')) {
    const target = m.groups['target'];
    return target === undefined
      ? { kind: 'remote', name: m.groups['name'] }
      : { kind: 'remote', name: m.groups['name'], target };
  }
  return { kind: 'local', path: entry };
}

export interface InstallBatch {
  /** `-t` target release, undefined for the default release. */
  readonly target?: string;
  readonly names: readonly string[];
}

/**
 * Remote packages grouped into one apt-get call per target: the default release first, then each
 * target sorted by name. `-t target` applies to the whole call, so a pinned package's dependencies
 * come from the same release (the `name/target` syntax alone would pick only the package itself).
 */
export function installBatches(specs: readonly PackageSpec[]): InstallBatch[] {
  const byTarget = new Map<string, Set<string>>();
  for (const s of specs) {
    if (s.kind !== 'remote') continue;
    const key = s.target ?? '';
    byTarget.set(key, (byTarget.get(key) ?? new Set()).add(s.name));
  }
  return [...byTarget.entries()]
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1))
    .map(([target, names]) => (target === '' ? { names: [...names] } : { target, names: [...names] }));
}
