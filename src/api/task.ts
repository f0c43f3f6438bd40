/**
 * A task is a plain typed object. Its id is `<plugin>/<verb-noun>` (e.g. `ec2/register-image`); the
 * resolver orders tasks by phase, then by `after`/`before` edges, ties broken by id.
 */
import type { CloudClientKind } from './cloud-clients.js';
import type { CloudJournal } from './cloud-journal.js';
import type { Artifact, CloudCall, LogLevel } from './events.js';
import type { BuildFs } from './fs.js';
import type { Manifest } from './manifest.js';
import type { Phase } from './phases.js';
import type { CommandRunner } from './runner.js';
import type { BuildState } from './state.js';

export interface TaskContext {
  readonly manifest: Manifest;
  /** Per-run directory on the host, created by core/create-workspace and removed on rollback. */
  readonly workspace: string;
  readonly runner: CommandRunner;
  /** File operations on the host and in the image; recorded, not done, in a dry run. */
  readonly fs: BuildFs;
  readonly state: BuildState;
  /** Aborted on SIGINT/SIGTERM: long waits must stop when it fires. */
  readonly signal: AbortSignal;
  readonly dryRun: boolean;
  /** Id of this build run (8 hex digits): the workspace name, and the build tag on cloud resources. */
  readonly runId: string;
  /** Durable record of cloud resources this build creates, for `bootstrap cleanup` after a crash. */
  readonly journal: CloudJournal;
  /** Id of the task this context was made for. */
  readonly taskId: string;
  log(level: LogLevel, message: string): void;
  /** Progress of a long step, drawn as a bar on a terminal. */
  progress(done: number, total?: number, unit?: string, message?: string): void;
  addArtifact(artifact: Artifact): void;
  /** Records a cloud API call for the event stream and the --report JSON. */
  recordCloudCall(call: CloudCall): void;
  /**
   * The build's clients of this kind (src/api/cloud-clients.ts): made on first use, recording ones in
   * a dry run, the ones a test handed in, closed by the engine at the end of the build.
   */
  cloud<T>(kind: CloudClientKind<T>): Promise<T>;
}

export interface Task {
  readonly id: string;
  readonly phase: Phase;
  /** One line, shown in the progress display and `bootstrap plan`. */
  readonly description: string;
  /** Ids of tasks that must run before this one when both are planned. */
  readonly after?: readonly string[];
  /** Ids of tasks that must run after this one when both are planned. */
  readonly before?: readonly string[];
  /** Host commands this task runs, checked up front (see src/host/commands.ts for their packages). */
  readonly hostCommands?: readonly string[];
  /**
   * Cloud API calls this task makes, in order (`ec2 RegisterImage`), listed by `bootstrap plan`;
   * `--dry-run` lists them with their parameters.
   */
  readonly cloudCalls?: readonly string[];
  /**
   * Set when this task is planned but cannot run in this version (e.g. a publishing step a later
   * release adds): `plan` shows it, and a build refuses to start instead of failing half-way.
   */
  readonly unavailable?: string;
  run(ctx: TaskContext): Promise<void>;
  /**
   * Undo of what `run` created. Runs on rollback for every task that started, in reverse order,
   * including the one that failed or was interrupted, so it must be idempotent and cope with a
   * half-done `run` (check resource state, do nothing when there is nothing to undo).
   */
  undo?(ctx: TaskContext): Promise<void>;
}

/**
 * A task that fails for a reason the user can act on; shown without a stack trace, with its hint on
 * the terminal and in the report. `code` is a stable code for scripts (docs/errors.md); without one
 * the failure is reported as ERR_TASK_FAILED.
 */
export class BuildError extends Error {
  override readonly name = 'BuildError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
