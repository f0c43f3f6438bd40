/** The mounted image root, for tasks that run between mounting and unmounting. */
import { BuildError, ROOT_DIR, type TaskContext } from '../../src/api/index.js';

export function imageRoot(ctx: TaskContext): string {
  const root = ctx.state.get(ROOT_DIR);
  if (root === undefined) throw new BuildError(`${ctx.taskId}: the image root is not mounted`);
  return root;
}
