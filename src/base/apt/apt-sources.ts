/**
 * apt source lists, as bootstrap-vz built them (common/tasks/apt.py): a map from list name to lines,
 * where `main` is /etc/apt/sources.list and any other name is sources.list.d/<name>.list. Manifest
 * lines come first, then the release's default lines. The image's sources use `packages.mirror`
 * (bootstrap-vz's {apt_mirror}), never `bootstrapper.mirror` or the build host's mirror: a mirror
 * used only to bootstrap must not leak into the image.
 *
 * The file format follows the release (sourceFiles): up to bookworm, one-line lists as above; from
 * trixie on, the release's own lines (suite, -updates, -security, -backports) go to the deb822 file
 * /etc/apt/sources.list.d/debian.sources, as in Debian's own cloud images, and /etc/apt/sources.list
 * is removed (the bootstrapper leaves one); lines the manifest gives stay one-line files as written.
 */
import {
  BuildError,
  DEBIAN,
  deb822Value,
  oneLineValue,
  releaseAtLeast,
  releaseBefore,
  type Manifest,
} from '../../api/index.js';
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
  return releaseBefore(manifest.release, DEBIAN.bullseye);
}

/** trixie (13) and later get deb822 `.sources` files, as Debian's own images; older releases one-line lists. */
export function usesDeb822Sources(manifest: Manifest): boolean {
  return releaseAtLeast(manifest.release, DEBIAN.trixie);
}

/** The deb822 file with the release's own sources (trixie and later). */
export const DEB822_SOURCES_PATH = 'etc/apt/sources.list.d/debian.sources';
/** The one-line list the bootstrapper writes (and bootstrap-vz's `main`). */
export const SOURCES_LIST_PATH = 'etc/apt/sources.list';

/** A mirror URI goes into a source line as one field: a blank or newline in it would add fields or lines. */
function sourceUri(uri: string, what: string): string {
  if (/\s/.test(uri) || uri === '') {
    throw new BuildError(
      `${what} ${JSON.stringify(uri)} is not one URI (it holds a blank or a newline)`,
      'apt reads the fields of a source line at blanks',
    );
  }
  return uri;
}

export function imageMirror(manifest: Manifest): string {
  return sourceUri(withTrailingSlash(manifest.data.packages?.mirror ?? DEFAULT_MIRROR), 'packages.mirror');
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
  const security = sourceUri(
    withTrailingSlash(manifest.data.packages?.security ?? DEFAULT_SECURITY_MIRROR),
    'packages.security',
  );
  const securitySuite = usesOldSecurityLayout(manifest) ? `${suite}/updates` : `${suite}-security`;
  lines.push(...withSources('deb', `${security} ${securitySuite} ${components}`, src));
  return lines;
}

/** The target (suite) of a one-line source, e.g. `bookworm-backports`. */
function lineTarget(line: string): string | undefined {
  return /^deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?\S+\s+(\S+)/.exec(line.trim())?.[1];
}

interface SourcePlan {
  /** The manifest's own lists (packages.sources), variables expanded. */
  readonly manifest: SourceLists;
  /** The release's default lines: suite, -updates, security. */
  readonly defaults: readonly string[];
  /** `<suite>-backports` lines when wanted and not already in the manifest's lists. */
  readonly backports: readonly string[];
}

function sourcePlan(manifest: Manifest): SourcePlan {
  const own: SourceLists = new Map();
  for (const [name, lines] of Object.entries(manifest.data.packages?.sources ?? {})) {
    own.set(name, [...(own.get(name) ?? []), ...lines.map((line) => manifest.expand(line))]);
  }
  const defaults = defaultSourceLines(manifest);
  const target = `${manifest.release.suite}-backports`;
  const hasBackports = [...own.values(), defaults].flat().some((l) => lineTarget(l) === target);
  let backports: string[] = [];
  if (wantsBackports(manifest) && !hasBackports && !isUnstable(manifest)) {
    const src = manifest.data.packages?.['include-source-type'] === true;
    const components = (manifest.data.packages?.components ?? ['main']).join(' ');
    backports = withSources('deb', `${imageMirror(manifest)} ${target} ${components}`, src);
  }
  return { manifest: own, defaults, backports };
}

/** Every source line of the image by list name (the one-line view, whatever the file format). */
export function sourceLists(manifest: Manifest): SourceLists {
  const plan = sourcePlan(manifest);
  const lists: SourceLists = new Map([...plan.manifest].map(([name, lines]) => [name, [...lines]]));
  lists.set('main', [...(lists.get('main') ?? []), ...plan.defaults]);
  if (plan.backports.length > 0)
    lists.set('backports', [...(lists.get('backports') ?? []), ...plan.backports]);
  return lists;
}

export interface SourceFiles {
  /** Files to write, relative to the image root, with their content. */
  readonly write: readonly { readonly path: string; readonly content: string }[];
  /** Files to remove when present (relative to the image root): lists a bootstrapper left. */
  readonly remove: readonly string[];
}

/** The apt source files of the image, in the release's format (see the file comment). */
export function sourceFiles(manifest: Manifest): SourceFiles {
  if (!usesDeb822Sources(manifest)) {
    return {
      write: [...sourceLists(manifest)].map(([name, lines]) => ({
        path: sourceListPath(name),
        content: renderSourceList(lines),
      })),
      remove: [],
    };
  }
  const plan = sourcePlan(manifest);
  const write = [...plan.manifest].map(([name, lines]) => ({
    path: sourceListPath(name),
    content: renderSourceList(lines),
  }));
  write.push({ path: DEB822_SOURCES_PATH, content: renderDeb822([...plan.defaults, ...plan.backports]) });
  return { write, remove: plan.manifest.has('main') ? [] : [SOURCES_LIST_PATH] };
}

interface OneLine {
  readonly type: string;
  readonly uri: string;
  readonly suite: string;
  readonly components: string;
}

function parseOneLine(line: string): OneLine {
  const [type = 'deb', uri = '', suite = '', ...components] = line.trim().split(/\s+/);
  return { type, uri, suite, components: components.join(' ') };
}

/**
 * deb822 stanzas from one-line sources without options: one stanza per URI and components, with the
 * suites in order and the types seen (`deb`, `deb deb-src`), as in Debian's images:
 *   Types: deb
 *   URIs: http://deb.debian.org/debian/
 *   Suites: trixie trixie-updates
 *   Components: main
 */
export function renderDeb822(lines: readonly string[]): string {
  const stanzas = new Map<string, { types: string[]; uri: string; suites: string[]; components: string }>();
  for (const line of lines.map((l) => parseOneLine(oneLineValue(l, 'the source line')))) {
    const key = `${line.uri} ${line.components}`;
    const stanza = stanzas.get(key) ?? { types: [], uri: line.uri, suites: [], components: line.components };
    stanzas.set(key, stanza);
    if (!stanza.types.includes(line.type)) stanza.types.push(line.type);
    if (!stanza.suites.includes(line.suite)) stanza.suites.push(line.suite);
  }
  return [...stanzas.values()]
    .map((s) =>
      [
        `Types: ${deb822Value(s.types.join(' '), 'the source type')}`,
        `URIs: ${deb822Value(s.uri, 'the source URI')}`,
        `Suites: ${deb822Value(s.suites.join(' '), 'the source suite')}`,
        `Components: ${deb822Value(s.components, 'the source components')}`,
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** Path of a source list inside the image. */
export function sourceListPath(name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.includes('..')) {
    throw new BuildError(
      `the source list name ${JSON.stringify(name)} is not a file name`,
      'packages.sources names become /etc/apt/sources.list.d/<name>.list',
    );
  }
  return name === 'main' ? 'etc/apt/sources.list' : `etc/apt/sources.list.d/${name}.list`;
}

/** One-line sources: each line one line (a newline in a manifest line would add a source). */
export function renderSourceList(lines: readonly string[]): string {
  return lines.map((l) => `${oneLineValue(l, 'the source line')}\n`).join('');
}
