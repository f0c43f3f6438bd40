/**
 * Cross-process locks on EBS device names, so parallel builds on one instance never ask AttachVolume
 * for the same name. A lock is a file created with O_EXCL holding the owner's pid; it stays while the
 * volume is attached (an NVMe attachment leaves no /dev/sdX behind to tell others the name is taken).
 * A lock whose pid is dead is stale (a SIGKILLed build) and is taken over: it is renamed aside first
 * and checked to still be the stale one, so two processes cleaning the same stale lock cannot both win.
 */
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const DEFAULT_LOCK_DIR = '/run/lock/debian-image-bootstrap';

export interface DeviceLock {
  readonly name: string;
  readonly path: string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const pid = Number.parseInt(text, 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

async function create(path: string, pid: number): Promise<boolean> {
  try {
    const fd = await open(path, 'wx', 0o644);
    try {
      await fd.writeFile(`${pid}\n`);
    } finally {
      await fd.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Removes the lock at `path` if its owner is dead; true when it did (or it was already gone). */
async function clearStale(path: string, isAlive: (pid: number) => boolean): Promise<boolean> {
  const owner = await ownerOf(path);
  // A lock being written has no pid yet: treat it as held, never as stale.
  if (owner === undefined || isAlive(owner)) return false;
  const aside = `${path}.stale.${process.pid}.${Date.now()}`;
  try {
    await rename(path, aside);
  } catch {
    return true; // someone else moved it first; just retry the create
  }
  if ((await ownerOf(aside)) !== owner) {
    // We moved a lock another process had just taken over: put it back (link fails if yet another
    // process took the name meanwhile, in which case that one holds it and ours goes away).
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

/** Takes the lock on `name`, or returns undefined when a live process holds it. */
export async function tryLockDevice(
  name: string,
  opts: { dir?: string; pid?: number; isAlive?: (pid: number) => boolean } = {},
): Promise<DeviceLock | undefined> {
  const dir = opts.dir ?? DEFAULT_LOCK_DIR;
  const pid = opts.pid ?? process.pid;
  await mkdir(dir, { recursive: true });
  const path = join(dir, `ebs-${name}.lock`);
  for (let i = 0; i < 3; i++) {
    if (await create(path, pid)) {
      return {
        name,
        path,
        async release() {
          // Only remove our own lock: a lock file with another pid is someone else's by now.
          if ((await ownerOf(path)) === pid) await unlink(path).catch(() => undefined);
        },
      };
    }
    if (!(await clearStale(path, opts.isAlive ?? alive))) return undefined;
  }
  return undefined;
}
