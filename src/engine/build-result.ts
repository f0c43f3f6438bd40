/** What running a plan produced: per-task outcomes, artifacts, and how the rollback went. */
import type { Artifact, CloudCall } from '../api/events.js';
import type { Phase } from '../api/phases.js';

export type TaskStatus = 'ok' | 'failed' | 'skipped' | 'not-run';

export interface TaskOutcome {
  readonly id: string;
  readonly phase: Phase;
  readonly plugin: string;
  status: TaskStatus;
  seconds: number;
}

export interface RollbackResult {
  /** True when every undo that had to run ran and succeeded. */
  readonly ok: boolean;
  /** Tasks whose undo succeeded, in the order they were undone. */
  readonly undone: string[];
  readonly failed: { id: string; error: unknown }[];
  /** Tasks whose undo never ran because the rollback was aborted (second Ctrl-C). */
  readonly leftUndone: string[];
}

export interface BuildResult {
  readonly status: 'success' | 'failed' | 'interrupted';
  readonly error?: unknown;
  /** The task that failed or was running when the build was interrupted. */
  readonly failedTask?: string;
  readonly tasks: TaskOutcome[];
  readonly artifacts: Artifact[];
  /** Cloud API calls made by the tasks, in order (bulk calls summed). */
  readonly cloudCalls?: CloudCall[];
  readonly rollback?: RollbackResult;
  readonly startedAt: Date;
  readonly endedAt: Date;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
