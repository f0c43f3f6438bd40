/**
 * The archive's package index (`dists/<suite>/<component>/binary-<arch>/Packages.gz`), reduced to what
 * a size estimate needs: for each package its Installed-Size, priority, Essential flag, dependencies
 * and what it provides. Fetched over HTTP(S) or read from a file: mirror, checked against the SHA256
 * the Release file gives, and kept in `<cache_dir>/indices/<sha256>.json` so the next `validate` of
 * the same archive state reads 1 file instead of downloading 13 MB.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export interface IndexedPackage {
  /** Installed-Size, in KiB (what dpkg counts). */
  readonly size: number;
  readonly priority?: string;
  readonly essential?: true;
  /** Depends and Pre-Depends: each entry a list of alternatives, package names only. */
  readonly depends: readonly (readonly string[])[];
  readonly provides?: readonly string[];
}

export interface PackagesIndex {
  readonly packages: ReadonlyMap<string, IndexedPackage>;
  /** Virtual package -> the real packages that provide it. */
  readonly providers: ReadonlyMap<string, readonly string[]>;
  /** Bytes of the uncompressed Packages files: apt keeps these lists in the image until cleaning. */
  readonly listBytes: number;
}

export interface FetchOptions {
  readonly signal?: AbortSignal;
  /** Where parsed indices are kept; none when undefined. */
  readonly cacheDir?: string;
  readonly fetch?: typeof globalThis.fetch;
  readonly timeoutMs?: number;
}

/** The Release file's SHA256 entries: path -> { hash, size }. */
export function parseReleaseSha256(text: string): Map<string, { hash: string; size: number }> {
  const out = new Map<string, { hash: string; size: number }>();
  let inSha = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      inSha = line.startsWith('SHA256:');
      continue;
    }
    if (!inSha) continue;
    const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line);
    if (m) out.set(m[3] as string, { hash: m[1] as string, size: Number(m[2]) });
  }
  return out;
}

/** Package names of one Depends-style field: `a (>= 1) | b:any, c [amd64]` -> [[a, b], [c]]. */
export function parseDependsField(value: string): string[][] {
  return value
    .split(',')
    .map((group) =>
      group
        .split('|')
        .map((alt) => (alt.trim().split(/[\s(<[]/)[0] ?? '').replace(/:\w+$/, ''))
        .filter((n) => n !== ''),
    )
    .filter((g) => g.length > 0);
}

/** Parses a Packages file (deb822 stanzas), keeping the first stanza of each name. */
export function parsePackages(
  text: string,
  into = new Map<string, IndexedPackage>(),
): Map<string, IndexedPackage> {
  for (const stanza of text.split(/\n\n+/)) {
    const fields = new Map<string, string>();
    let last = '';
    for (const line of stanza.split('\n')) {
      if (line.startsWith(' ') || line.startsWith('\t')) {
        if (last !== '') fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
        continue;
      }
      const i = line.indexOf(':');
      if (i <= 0) continue;
      last = line.slice(0, i);
      fields.set(last, line.slice(i + 1).trim());
    }
    const name = fields.get('Package');
    if (name === undefined || into.has(name)) continue;
    const depends = [fields.get('Pre-Depends'), fields.get('Depends')].flatMap((v) =>
      v === undefined ? [] : parseDependsField(v),
    );
    const provides = fields.get('Provides');
    const priority = fields.get('Priority');
    into.set(name, {
      size: Number(fields.get('Installed-Size') ?? 0) || 0,
      ...(priority !== undefined ? { priority } : {}),
      ...(fields.get('Essential') === 'yes' ? { essential: true as const } : {}),
      depends,
      ...(provides !== undefined ? { provides: parseDependsField(provides).flat() } : {}),
    });
  }
  return into;
}

export function providersOf(packages: ReadonlyMap<string, IndexedPackage>): Map<string, string[]> {
  const providers = new Map<string, string[]>();
  for (const [name, p] of packages) {
    for (const v of p.provides ?? []) {
      const list = providers.get(v) ?? [];
      list.push(name);
      providers.set(v, list);
    }
  }
  return providers;
}

function withSlash(mirror: string): string {
  return mirror.endsWith('/') ? mirror : `${mirror}/`;
}

async function download(url: string, opts: FetchOptions): Promise<Buffer> {
  if (url.startsWith('file:')) return readFile(fileURLToPath(url));
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const res = await (opts.fetch ?? globalThis.fetch)(url, { signal, redirect: 'follow' });
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`${url} answered HTTP ${res.status}`);
  }
  return Buffer.from(await res.arrayBuffer());
}

interface CachedComponent {
  readonly packages: [string, IndexedPackage][];
}

async function readCached(path: string | undefined): Promise<CachedComponent | undefined> {
  if (path === undefined) return undefined;
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as CachedComponent;
  } catch {
    return undefined;
  }
}

async function writeCached(path: string | undefined, value: CachedComponent): Promise<void> {
  if (path === undefined) return;
  const partial = `${path}.partial-${process.pid}`;
  try {
    await mkdir(join(path, '..'), { recursive: true, mode: 0o755 });
    await writeFile(partial, JSON.stringify(value));
    await rename(partial, path);
  } catch {
    // A cache that cannot be written (validate as a user without access) only costs the next download.
  } finally {
    await rm(partial, { force: true });
  }
}

/**
 * The index of `components` of `suite` for `architecture` (and `all`, which Debian merges into each
 * architecture's Packages file). Throws with the URL when the mirror does not serve it.
 */
export async function fetchPackagesIndex(
  mirror: string,
  suite: string,
  components: readonly string[],
  architecture: string,
  opts: FetchOptions = {},
): Promise<PackagesIndex> {
  const base = `${withSlash(mirror)}dists/${suite}/`;
  const release = parseReleaseSha256((await download(`${base}Release`, opts)).toString('utf8'));
  const packages = new Map<string, IndexedPackage>();
  let listBytes = 0;
  for (const component of components) {
    const path = `${component}/binary-${architecture}/Packages`;
    const gz = release.get(`${path}.gz`);
    const plain = release.get(path);
    if (gz === undefined && plain === undefined) throw new Error(`${base}Release lists no ${path}(.gz)`);
    listBytes += plain?.size ?? 0;
    const entry = (gz ?? plain) as { hash: string; size: number };
    const cachePath = opts.cacheDir === undefined ? undefined : join(opts.cacheDir, `${entry.hash}.json`);
    const cached = await readCached(cachePath);
    if (cached !== undefined) {
      for (const [name, p] of cached.packages) if (!packages.has(name)) packages.set(name, p);
      continue;
    }
    const body = await download(`${base}${gz !== undefined ? `${path}.gz` : path}`, opts);
    const hash = createHash('sha256').update(body).digest('hex');
    if (hash !== entry.hash)
      throw new Error(`${base}${path}: SHA256 ${hash} does not match the Release file`);
    const text = (gz !== undefined ? gunzipSync(body) : body).toString('utf8');
    const parsed = parsePackages(text);
    await writeCached(cachePath, { packages: [...parsed] });
    for (const [name, p] of parsed) if (!packages.has(name)) packages.set(name, p);
  }
  return { packages, providers: providersOf(packages), listBytes };
}
