/**
 * apt source lists, as bootstrap-vz built them (common/tasks/apt.py): a map from list name to lines,
 * where `main` is /etc/apt/sources.list and any other name is sources.list.d/<name>.list. Manifest
 * lines come first, then the release's default lines. The image's sources use `packages.mirror`
 * (bootstrap-vz's {apt_mirror}), never `bootstrapper.mirror` or the build host's mirror: a mirror
 * used only to bootstrap must not leak into the image.
 */
import type { Manifest } from '../../api/index.js';
import { DEFAULT_MIRROR, DEFAULT_SECURITY_MIRROR } from '../bootstrap/constants.js';
import { withTrailingSlash } from '../bootstrap/mirror.js';
import { parsePackageSpec } from './package-spec.js';

export type SourceLists = Map<string, string[]>;

export function isUnstable(manifest: Manifest): boolean {
  const r = manifest.release;
  return r.codename === 'sid' || r.suite === 'sid' || r.suite === 'unstable';
}

/** buster (10) and older publish security updates as `<suite>/updates`; bullseye renamed it `<suite>-security`. */
export function usesOldSecurityLayout(manifest: Manifest): boolean {
  const version = Number.parseFloat(manifest.release.version);
  return !Number.isNaN(version) && version <= 10;
}

export function imageMirror(manifest: Manifest): string {
  return withTrailingSlash(manifest.data.packages?.mirror ?? DEFAULT_MIRROR);
}

/** Whether the image gets `<suite>-backports`: asked for with `packages.backports: true` or by a `pkg/<suite>-backports` install. */
export function wantsBackports(manifest: Manifest): boolean {
  const backports = `${manifest.release.suite}-backports`;
  return (
    manifest.data.packages?.['backports'] === true ||
    (manifest.data.packages?.install ?? []).some((p) => {
      const spec = parsePackageSpec(p);
      return spec.kind === 'remote' && spec.target === backports;
    })
  );
}

function withSources(type: 'deb', rest: string, includeSrc: boolean): string[] {
  return includeSrc ? [`${type} ${rest}`, `deb-src ${rest}`] : [`${type} ${rest}`];
}

/** The release's default lines for sources.list: the suite, its updates and its security suite. */
export function defaultSourceLines(manifest: Manifest): string[] {
  const src = manifest.data.packages?.['include-source-type'] === true;
  const components = (manifest.data.packages?.components ?? ['main']).join(' ');
  const suite = manifest.release.suite;
  const mirror = imageMirror(manifest);
  const lines = withSources('deb', `${mirror} ${suite} ${components}`, src);
  if (isUnstable(manifest)) return lines; // sid has neither updates nor security suites
  lines.push(...withSources('deb', `${mirror} ${suite}-updates ${components}`, src));
  const security = withTrailingSlash(manifest.data.packages?.security ?? DEFAULT_SECURITY_MIRROR);
  const securitySuite = usesOldSecurityLayout(manifest) ? `${suite}/updates` : `${suite}-security`;
  lines.push(...withSources('deb', `${security} ${securitySuite} ${components}`, src));
  return lines;
}

/** The target (suite) of a one-line source, e.g. `bookworm-backports`. */
function lineTarget(line: string): string | undefined {
  return /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?\S+\s+(\S+)/.exec(line.trim())?.[1];
}

export function sourceLists(manifest: Manifest): SourceLists {
  const lists: SourceLists = new Map();
  const add = (name: string, line: string): void => {
    lists.set(name, [...(lists.get(name) ?? []), line]);
  };
  for (const [name, lines] of Object.entries(manifest.data.packages?.sources ?? {})) {
    for (const line of lines) add(name, manifest.expand(line));
  }
  for (const line of defaultSourceLines(manifest)) add('main', line);
  const backports = `${manifest.release.suite}-backports`;
  const hasBackports = [...lists.values()].flat().some((l) => lineTarget(l) === backports);
  if (wantsBackports(manifest) && !hasBackports && !isUnstable(manifest)) {
    const src = manifest.data.packages?.['include-source-type'] === true;
    const components = (manifest.data.packages?.components ?? ['main']).join(' ');
    for (const line of withSources('deb', `${imageMirror(manifest)} ${backports} ${components}`, src))
      add('backports', line);
  }
  return lists;
}

/** Path of a source list inside the image. */
export function sourceListPath(name: string): string {
  return name === 'main' ? 'etc/apt/sources.list' : `etc/apt/sources.list.d/${name}.list`;
}

export function renderSourceList(lines: readonly string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}
