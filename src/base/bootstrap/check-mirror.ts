/**
 * base/check-mirror: a cheap reachability check of `<mirror>/dists/<suite>/Release` before any work
 * starts, so an unreachable or wrong mirror fails the build in seconds instead of after the volume
 * was created and partitioned.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BuildError, type Task } from '../../api/index.js';
import { hostDefaultMirror, resolveMirror } from './mirror.js';

export interface ProbeOptions {
  readonly fetch?: typeof globalThis.fetch;
  readonly attempts?: number;
  readonly timeoutMs?: number;
  /** Delay before retry n (1-based); injectable so tests do not sleep. */
  readonly backoffMs?: (attempt: number) => number;
  readonly signal?: AbortSignal;
}

export function releaseUrl(mirror: string, suite: string): string {
  return `${mirror.endsWith('/') ? mirror : `${mirror}/`}dists/${suite}/Release`;
}

/** Resolves when the Release file answers 200; throws BuildError naming the URL otherwise. */
export async function probeMirror(mirror: string, suite: string, opts: ProbeOptions = {}): Promise<void> {
  const url = releaseUrl(mirror, suite);
  if (url.startsWith('file:')) {
    await access(fileURLToPath(url)).catch(() => {
      throw new BuildError(`mirror ${mirror} has no ${suite} suite: ${url} does not exist`);
    });
    return;
  }
  const doFetch = opts.fetch ?? globalThis.fetch;
  const attempts = opts.attempts ?? 3;
  let lastReason = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    opts.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 10_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    try {
      const res = await doFetch(url, { method: 'GET', signal, redirect: 'follow' });
      // Only the status matters; do not download the whole Release file.
      await res.body?.cancel().catch(() => {});
      if (res.ok) return;
      if (res.status === 404) {
        throw new BuildError(
          `mirror ${mirror} has no ${suite} suite (${url} answered 404)`,
          'check system.release and the mirror; archived releases live on http://archive.debian.org/debian/',
        );
      }
      lastReason = `HTTP ${res.status}`;
    } catch (e) {
      if (e instanceof BuildError) throw e;
      opts.signal?.throwIfAborted();
      const err = e as Error & { cause?: { code?: string; message?: string } };
      lastReason = err.cause?.code ?? err.cause?.message ?? err.message;
    }
    if (attempt < attempts)
      await new Promise((r) => setTimeout(r, opts.backoffMs?.(attempt) ?? 1000 * 2 ** attempt));
  }
  throw new BuildError(
    `mirror ${mirror} is not reachable: ${url} failed ${attempts} times (${lastReason})`,
    'set bootstrapper.mirror or packages.mirror to a reachable Debian mirror',
  );
}

export const checkMirror: Task = {
  id: 'base/check-mirror',
  phase: 'preparation',
  description: 'Checking that the Debian mirror serves the release',
  async run(ctx) {
    const mirror = resolveMirror(ctx.manifest, await hostDefaultMirror());
    const suite = ctx.manifest.release.suite;
    if (ctx.dryRun) {
      ctx.log('info', `dry run: not checking ${releaseUrl(mirror, suite)}`);
      return;
    }
    await probeMirror(mirror, suite, { signal: ctx.signal });
    ctx.log('debug', `${releaseUrl(mirror, suite)} is reachable`);
  },
};
