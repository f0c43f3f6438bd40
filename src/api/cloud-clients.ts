/**
 * Cloud clients reach tasks through their context, the way the command runner does (issue 17,
 * item 2). A plugin describes its kind of clients once: how to make the real ones, and how to make
 * recording ones that send nothing, record each call and answer with placeholders. The engine makes
 * one set per build on first use (`ctx.cloud(kind)`), the recording set in a dry run, and closes them
 * when the build ends; tests hand in their own. A task's code is then the same in a build, a dry run
 * and a unit test: no task writes a dry-run branch of its own to list its calls.
 */
import type { TaskContext } from './task.js';

export interface CloudClientKind<T> {
  /** Unique among the kinds a build uses (e.g. `aws`). */
  readonly name: string;
  /** The real clients; called once per build, from the first task that asks. */
  connect(ctx: TaskContext): Promise<T>;
  /** Clients for `--dry-run`: they make no call, record each one, and answer with placeholders. */
  record(ctx: TaskContext): Promise<T>;
  /** Closes the clients' connections when the build (and its rollback) is over. */
  close?(clients: T): void;
}
