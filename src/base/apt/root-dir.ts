/** The mounted image root for package-installation tasks. */
import { ROOT_DIR, type TaskContext } from '../../api/index.js';

export function requireRoot(ctx: TaskContext): string {
  const root = ctx.state.get(ROOT_DIR);
  // A planning bug, not a user error: base/mount-root fills ROOT_DIR in volume-mounting.
  if (root === undefined) throw new Error(`${ctx.taskId}: ROOT_DIR is not set; base/mount-root did not run`);
  return root;
}
