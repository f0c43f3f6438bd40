/**
 * Before the image root is unmounted on rollback: stop processes still running inside it (a
 * bootstrapper killed mid-way can leave dpkg or a maintainer script behind) and unmount what others
 * mounted below it (mmdebstrap's own /proc, /sys, /dev). Either would keep the root busy, and then
 * the loop device could not be detached.
 */
import { readdir, readlink } from 'node:fs/promises';
import type { TaskContext } from '../../api/index.js';
import { mountsBelow } from '../bootstrap/mounts-below.js';

const inside = (path: string, root: string): boolean => path === root || path.startsWith(`${root}/`);

/** PIDs whose root directory or working directory is inside `root`. */
export async function processesInside(root: string, proc = '/proc'): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir(proc).catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const links = await Promise.all(
      ['root', 'cwd'].map((l) => readlink(`${proc}/${name}/${l}`).catch(() => undefined)),
    );
    if (links.some((l) => l !== undefined && inside(l, root))) pids.push(Number(name));
  }
  return pids;
}

function signal(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

export async function releaseRoot(ctx: TaskContext, root: string, ours: readonly string[]): Promise<void> {
  if (ctx.dryRun) return;
  let pids = await processesInside(root);
  if (pids.length > 0) {
    ctx.log('warn', `stopping ${pids.length} process(es) still running in the image: ${pids.join(' ')}`);
    signal(pids, 'SIGTERM');
    for (let i = 0; i < 30 && pids.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pids = await processesInside(root);
    }
    signal(pids, 'SIGKILL');
  }
  for (const mount of await mountsBelow(root)) {
    if (ours.includes(mount)) continue;
    ctx.log('warn', `unmounting ${mount}, left mounted inside the image by another program`);
    await ctx.runner.run(['umount', mount]).catch(() => ctx.runner.run(['umount', '--lazy', mount]));
  }
}
