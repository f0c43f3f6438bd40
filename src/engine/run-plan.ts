/**
 * The engine: runs a plan's tasks in order and, on a failure or an interrupt, rolls back every task
 * that started. It reports through events only; it never exits the process or installs signal
 * handlers (the CLI does, with installInterruptHandlers, and aborts `signal`).
 */
import type { Artifact, CloudCall, EventSink } from '../api/events.js';
import type { BuildFs } from '../api/fs.js';
import type { Manifest } from '../api/manifest.js';
import type { Phase } from '../api/phases.js';
import type { CommandRunner } from '../api/runner.js';
import { BuildState } from '../api/state.js';
import type { Plan, PlannedTask } from '../graph/resolve-plan.js';
import { errorMessage, type BuildResult, type TaskOutcome } from './build-result.js';
import { createCloudClientCache } from './cloud-client-cache.js';
import { createNullJournal, type EngineJournal } from './cloud-journal-file.js';
import { rollBack } from './rollback.js';
import { createTaskContext, type SharedContext } from './task-context.js';

export type { BuildResult, RollbackResult, TaskOutcome, TaskStatus } from './build-result.js';

export interface RunPlanOptions {
  readonly manifest: Manifest;
  readonly workspace: string;
  readonly runner: CommandRunner;
  readonly fs: BuildFs;
  readonly events: EventSink;
  /** Aborted on the first SIGINT/SIGTERM: no further task starts, the running one is cancelled. */
  readonly signal: AbortSignal;
  /** Aborted on the second SIGINT: the rollback stops. */
  readonly abortRollback?: AbortSignal;
  /** Awaited after a failure and before the rollback (--pause-on-error). */
  readonly pauseBeforeRollback?: () => Promise<void>;
  readonly dryRun: boolean;
  /** The build's run id (workspace name, build tag on cloud resources). */
  readonly runId?: string;
  /** Where cloud resources are journaled; none by default (no cloud task, or a dry run). */
  readonly journal?: EngineJournal;
  /** Sets state keys before the first task (the CLI's flags that tasks read, such as --force). */
  readonly seedState?: (state: BuildState) => void;
  /**
   * Cloud clients by kind name (src/api/cloud-clients.ts) that tasks get instead of making their own:
   * tests' recording clients. Kinds not named here are made by the engine, recording in a dry run.
   */
  readonly cloudClients?: ReadonlyMap<string, unknown>;
}

export async function runPlan(plan: Plan, opts: RunPlanOptions): Promise<BuildResult> {
  const startedAt = new Date();
  const artifacts: Artifact[] = [];
  const cloudCalls: CloudCall[] = [];
  const runId = opts.runId ?? opts.journal?.runId ?? 'dryrun00';
  const journal = opts.journal ?? createNullJournal(runId);
  const shared: SharedContext = {
    manifest: opts.manifest,
    workspace: opts.workspace,
    runner: opts.runner,
    fs: opts.fs,
    state: new BuildState(),
    events: opts.events,
    dryRun: opts.dryRun,
    runId,
    journal,
    artifacts,
    cloudCalls,
    clients: createCloudClientCache(opts.dryRun, opts.cloudClients),
  };
  try {
    return await runTasks(plan, opts, shared, journal, startedAt);
  } finally {
    // After the rollback, which needs them: the clients' connections would keep the process alive.
    shared.clients.closeAll();
  }
}

async function runTasks(
  plan: Plan,
  opts: RunPlanOptions,
  shared: SharedContext,
  journal: EngineJournal,
  startedAt: Date,
): Promise<BuildResult> {
  const { events, signal } = opts;
  const { artifacts, cloudCalls } = shared;
  opts.seedState?.(shared.state);
  const outcomes: TaskOutcome[] = plan.tasks.map(({ task, plugin }) => ({
    id: task.id,
    phase: task.phase,
    plugin,
    status: 'not-run',
    seconds: 0,
  }));
  events.emit({
    type: 'plan',
    tasks: plan.tasks.map(({ task }) => ({ id: task.id, phase: task.phase, description: task.description })),
  });

  const started: PlannedTask[] = [];
  let failure: { error: unknown; task: string } | undefined;
  let phase: Phase | undefined;
  for (const [i, planned] of plan.tasks.entries()) {
    if (signal.aborted) break;
    const { task } = planned;
    const outcome = outcomes[i] as TaskOutcome;
    if (task.phase !== phase) {
      phase = task.phase;
      events.emit({ type: 'phase-start', phase });
    }
    if (opts.dryRun && task.unavailable !== undefined) {
      // A build refuses the manifest before any work (the CLI says why); the dry run goes on without
      // the step, so the rest of the plan is still tried.
      events.emit({
        type: 'log',
        level: 'warn',
        message: `dry run: skipped, this version cannot run it (a build refuses this manifest): ${task.unavailable}`,
        task: task.id,
      });
      outcome.status = 'skipped';
      continue;
    }
    events.emit({ type: 'task-start', id: task.id, phase: task.phase, description: task.description });
    started.push(planned);
    const t0 = performance.now();
    try {
      await task.run(createTaskContext(shared, task.id, signal));
      outcome.status = 'ok';
    } catch (error) {
      outcome.status = 'failed';
      failure = { error, task: task.id };
    }
    outcome.seconds = (performance.now() - t0) / 1000;
    events.emit({
      type: 'task-end',
      id: task.id,
      status: outcome.status === 'ok' ? 'ok' : 'failed',
      seconds: outcome.seconds,
    });
    if (failure) break;
  }

  const interrupted = signal.aborted;
  if (!failure && !interrupted) {
    await finishJournal(journal, 'success', events);
    return { status: 'success', tasks: outcomes, artifacts, cloudCalls, startedAt, endedAt: new Date() };
  }

  const error = failure?.error ?? signal.reason;
  const reason = failure
    ? `${interrupted ? 'interrupted during' : 'failure in'} ${failure.task}: ${errorMessage(failure.error)}`
    : `interrupted: ${errorMessage(signal.reason)}`;
  events.emit({ type: 'log', level: 'error', message: reason, ...(failure ? { task: failure.task } : {}) });
  if (error instanceof Error && error.stack) {
    events.emit({
      type: 'log',
      level: 'debug',
      message: error.stack,
      ...(failure ? { task: failure.task } : {}),
    });
  }
  if (opts.pauseBeforeRollback) {
    try {
      await opts.pauseBeforeRollback();
    } catch (pauseError) {
      // A broken pause (closed stdin) must not skip the rollback.
      events.emit({
        type: 'log',
        level: 'warn',
        message: `pause before rollback failed: ${errorMessage(pauseError)}`,
      });
    }
  }
  const rollback = await rollBack(started, {
    reason,
    events,
    ...(opts.abortRollback ? { abortRollback: opts.abortRollback } : {}),
    contextFor: (planned, undoSignal) => createTaskContext(shared, planned.task.id, undoSignal),
  });
  await finishJournal(journal, interrupted ? 'interrupted' : 'failed', events);
  return {
    status: interrupted ? 'interrupted' : 'failed',
    error,
    ...(failure ? { failedTask: failure.task } : {}),
    tasks: outcomes,
    artifacts,
    cloudCalls,
    rollback,
    startedAt,
    endedAt: new Date(),
  };
}

/** Closes the run in the journal; a journal that cannot be written must not turn a build into a crash. */
async function finishJournal(
  journal: EngineJournal,
  status: 'success' | 'failed' | 'interrupted',
  events: EventSink,
): Promise<void> {
  try {
    await journal.finish(status);
  } catch (error) {
    events.emit({ type: 'log', level: 'warn', message: `cloud journal: ${errorMessage(error)}` });
  }
}
