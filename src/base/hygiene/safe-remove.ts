/**
 * Recursive removal inside the image that refuses to descend into a mount point: something mounted
 * below /tmp or /var/cache (a host cache, a leftover bind mount) would otherwise have host files
 * deleted through it. Mount points come from /proc/self/mountinfo, read once per task.
 */
import { BuildError, type TaskContext } from '../../api/index.js';
import { isAtOrBelow, mountsBelow } from '../bootstrap/mounts-below.js';

export interface SafeRemover {
  remove(path: string): Promise<void>;
  /** The mount point at or below path, if any. */
  mountAt(path: string): string | undefined;
}

export async function safeRemover(
  ctx: TaskContext,
  root: string,
  mountinfoPath?: string,
): Promise<SafeRemover> {
  const mounts = ctx.dryRun ? [] : await mountsBelow(root, mountinfoPath);
  const mountAt = (path: string) => mounts.find((m) => isAtOrBelow(m, path));
  return {
    mountAt,
    async remove(path) {
      const inside = mountAt(path);
      if (inside !== undefined) {
        throw new BuildError(
          `refusing to delete ${path}: ${inside} is mounted there`,
          'unmount it before the system-cleaning phase',
        );
      }
      await ctx.fs.remove(path);
    },
  };
}
