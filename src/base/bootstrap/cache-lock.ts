/**
 * A lock file per cache key, so two builds that miss the same key at the same time do not both spend
 * a bootstrap on it: the first creates `<key>.lock` with O_EXCL, the others wait for it to go away
 * (and then find the tarball). A lock older than STALE_LOCK_MS, or whose owner pid is gone on this
 * host, is left over from a crashed build and is broken.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

export const STALE_LOCK_MS = 30 * 60 * 1000;
const POLL_MS = 2000;

export interface LockOptions {
  readonly signal?: AbortSignal;
  readonly staleMs?: number;
  readonly pollMs?: number;
  /** Called once when the lock is held by someone else and we start waiting. */
  readonly onWait?: (owner: string) => void;
  /** Stop waiting early (returns false) when this becomes true, e.g. the tarball appeared. */
  readonly done?: () => Promise<boolean>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return false;
  if (Date.now() - info.mtimeMs > staleMs) return true;
  const [host, pid] = (await readFile(path, 'utf8').catch(() => '')).trim().split(':');
  return host === hostname() && pid !== undefined && /^\d+$/.test(pid) && !pidAlive(Number(pid));
}

/**
 * Takes the lock and returns its release function, or returns undefined when `done()` reported the
 * work was finished by the lock holder while we waited.
 */
export async function acquireLock(
  path: string,
  opts: LockOptions = {},
): Promise<(() => Promise<void>) | undefined> {
  let announced = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${hostname()}:${process.pid}\n`);
      await handle.close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (await isStale(path, opts.staleMs ?? STALE_LOCK_MS)) {
      await rm(path, { force: true });
      continue;
    }
    if (!announced) {
      opts.onWait?.((await readFile(path, 'utf8').catch(() => '?')).trim());
      announced = true;
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? POLL_MS));
    if (opts.done && (await opts.done())) return undefined;
  }
}
