/**
 * Before the image root is unmounted on rollback: stop processes still running inside it (a
 * bootstrapper killed mid-way can leave dpkg or a maintainer script behind) and unmount what others
 * mounted below it (mmdebstrap's own /proc, /sys, /dev). Either would keep the root busy, and then
 * the loop device could not be detached.
 */
import type { TaskContext } from '../../api/index.js';
import { mountsBelow } from '../bootstrap/mounts-below.js';
import { processesInside, stopProcesses } from '../../volume/stop-processes.js';

export async function releaseRoot(ctx: TaskContext, root: string, ours: readonly string[]): Promise<void> {
  if (ctx.dryRun) return;
  const pids = await processesInside(root);
  if (pids.length > 0) {
    ctx.log('warn', `stopping ${pids.length} process(es) still running in the image: ${pids.join(' ')}`);
    await stopProcesses(pids, () => processesInside(root));
  }
  for (const mount of await mountsBelow(root)) {
    if (ours.includes(mount)) continue;
    ctx.log('warn', `unmounting ${mount}, left mounted inside the image by another program`);
    await ctx.runner.run(['umount', mount]).catch(() => ctx.runner.run(['umount', '--lazy', mount]));
  }
}
