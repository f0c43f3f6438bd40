/**
 * Which mirror the bootstrapper uses: `bootstrapper.mirror`, else `packages.mirror`, else the Debian
 * mirror the host's apt is configured with (a build host behind a local mirror keeps using it), else
 * deb.debian.org. The host is consulted only for that default, never over a manifest value.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../../api/index.js';
import { DEFAULT_MIRROR } from './constants.js';

export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The mirror the manifest asks for, or undefined when it leaves the choice to the host. */
export function manifestMirror(manifest: Manifest): string | undefined {
  return manifest.data.bootstrapper.mirror ?? manifest.data.packages?.mirror;
}

export function resolveMirror(manifest: Manifest, hostDefaultMirror: string = DEFAULT_MIRROR): string {
  return withTrailingSlash(manifestMirror(manifest) ?? hostDefaultMirror);
}

/**
 * The first Debian archive URI in apt sources text (one-line `.list` or deb822 `.sources`): a `deb`
 * entry whose suites are not security suites and whose URI is not the security archive. Third-party
 * repositories are skipped by requiring "debian" in the URI path.
 */
export function parseHostMirror(text: string): string | undefined {
  const candidates: { uri: string; suites: string[] }[] = [];
  if (/^\s*Types:/im.test(text)) {
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string): string | undefined =>
        new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(stanza)?.[1]?.trim();
      if (!(field('Types') ?? '').split(/\s+/).includes('deb')) continue;
      if (/^(no|false)$/i.test(field('Enabled') ?? 'yes')) continue;
      const suites = (field('Suites') ?? '').split(/\s+/);
      for (const uri of (field('URIs') ?? '').split(/\s+/)) if (uri) candidates.push({ uri, suites });
    }
  } else {
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      const m = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (m?.[1] && m[2]) candidates.push({ uri: m[1], suites: [m[2]] });
    }
  }
  const found = candidates.find(
    ({ uri, suites }) =>
      /^(https?|file):/.test(uri) &&
      /\/debian\/?$/.test(uri) &&
      !/security/.test(uri) &&
      suites.some((s) => !/-security$|\/updates$/.test(s)),
  );
  return found ? withTrailingSlash(found.uri) : undefined;
}

/** Reads the host's apt sources and returns its Debian mirror, or deb.debian.org. */
export async function hostDefaultMirror(etcApt = '/etc/apt'): Promise<string> {
  const files = [join(etcApt, 'sources.list')];
  const dir = join(etcApt, 'sources.list.d');
  const entries = await readdir(dir).catch(() => [] as string[]);
  files.push(
    ...entries
      .filter((n) => /\.(list|sources)$/.test(n))
      .sort()
      .map((n) => join(dir, n)),
  );
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const mirror = parseHostMirror(text);
    if (mirror) return mirror;
  }
  return DEFAULT_MIRROR;
}
