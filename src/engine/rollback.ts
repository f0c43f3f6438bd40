/**
 * Rollback: the undo of every task that started, newest first, including the task that failed or
 * was interrupted (undo copes with a half-done run). One failing undo does not stop the others: a
 * leftover mount must not keep a loop device from being detached. A second Ctrl-C (abortRollback)
 * stops it, and what was left undone is reported so the user can clean up by hand.
 */
import type { EventSink } from '../api/events.js';
import type { TaskContext } from '../api/task.js';
import type { PlannedTask } from '../graph/resolve-plan.js';
import { errorMessage, type RollbackResult } from './build-result.js';

export interface RollbackOptions {
  readonly reason: string;
  readonly events: EventSink;
  readonly abortRollback?: AbortSignal;
  /** Context for an undo; its signal is the rollback's own, not the aborted build signal. */
  readonly contextFor: (planned: PlannedTask, signal: AbortSignal) => TaskContext;
}

/** `startedTasks` in start order; undone in reverse. */
export async function rollBack(
  startedTasks: readonly PlannedTask[],
  opts: RollbackOptions,
): Promise<RollbackResult> {
  const toUndo = [...startedTasks].reverse().filter((p) => p.task.undo !== undefined);
  const controller = new AbortController();
  const onAbort = () => controller.abort(opts.abortRollback?.reason ?? new Error('rollback aborted'));
  if (opts.abortRollback?.aborted) onAbort();
  else opts.abortRollback?.addEventListener('abort', onAbort, { once: true });

  const undone: string[] = [];
  const failed: { id: string; error: unknown }[] = [];
  const leftUndone: string[] = [];
  opts.events.emit({ type: 'rollback-start', reason: opts.reason, tasks: toUndo.length });
  try {
    for (const planned of toUndo) {
      const id = planned.task.id;
      if (controller.signal.aborted) {
        leftUndone.push(id);
        continue;
      }
      try {
        await planned.task.undo?.(opts.contextFor(planned, controller.signal));
        undone.push(id);
        opts.events.emit({ type: 'undo', id, status: 'ok' });
      } catch (error) {
        failed.push({ id, error });
        opts.events.emit({ type: 'undo', id, status: 'failed', error: errorMessage(error) });
      }
    }
  } finally {
    opts.abortRollback?.removeEventListener('abort', onAbort);
  }
  const ok = failed.length === 0 && leftUndone.length === 0;
  opts.events.emit({ type: 'rollback-end', ok });
  return { ok, undone, failed, leftUndone };
}
