/**
 * Processes left running inside a directory: a bootstrapper killed mid-way leaves dpkg or a maintainer
 * script in the image's chroot, and a SIGKILLed build leaves its children in its workspace. Either keeps
 * mounts busy, so rollback (src/base/volume/release-root.ts) and `bootstrap cleanup`
 * (src/volume/host-cleaners.ts) stop them before unmounting.
 */
import { readdir, readlink } from 'node:fs/promises';

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);

/** PIDs whose root directory or working directory is inside `dir` (never this process). */
export async function processesInside(dir: string, proc = '/proc'): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir(proc).catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const links = await Promise.all(
      ['root', 'cwd'].map((l) => readlink(`${proc}/${name}/${l}`).catch(() => undefined)),
    );
    if (links.some((l) => l !== undefined && inside(l, dir))) pids.push(Number(name));
  }
  return pids;
}

function signalAll(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * SIGTERM, up to 3 s for `stillThere()` to come back empty, then SIGKILL for what is left and up to
 * 2 s more for the kernel to reap them (a mount they hold is busy until then).
 */
export async function stopProcesses(
  pids: readonly number[],
  stillThere: () => Promise<number[]>,
): Promise<void> {
  signalAll(pids, 'SIGTERM');
  let left = [...pids];
  for (let i = 0; i < 30 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await stillThere();
  }
  signalAll(left, 'SIGKILL');
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await stillThere();
  }
}
