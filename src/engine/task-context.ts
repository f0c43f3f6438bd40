/** Builds the TaskContext a task's run or undo receives; all contexts of a build share one state. */
import type { CloudJournal } from '../api/cloud-journal.js';
import type { CloudClientCache } from './cloud-client-cache.js';
import type { Artifact, CloudCall, EventSink } from '../api/events.js';
import type { BuildFs } from '../api/fs.js';
import type { Manifest } from '../api/manifest.js';
import type { CommandRunner } from '../api/runner.js';
import type { BuildState } from '../api/state.js';
import type { TaskContext } from '../api/task.js';
import { bindRunner } from '../runner/bound-runner.js';

export interface SharedContext {
  readonly manifest: Manifest;
  readonly workspace: string;
  readonly runner: CommandRunner;
  readonly fs: BuildFs;
  readonly state: BuildState;
  readonly events: EventSink;
  readonly dryRun: boolean;
  readonly runId: string;
  readonly journal: CloudJournal;
  readonly artifacts: Artifact[];
  readonly cloudCalls: CloudCall[];
  readonly clients: CloudClientCache;
}

export function createTaskContext(shared: SharedContext, taskId: string, signal: AbortSignal): TaskContext {
  const { events } = shared;
  const ctx: TaskContext = {
    manifest: shared.manifest,
    workspace: shared.workspace,
    // Bound so its commands are tagged with the task and cancelled by this context's signal.
    runner: bindRunner(shared.runner, { signal, taskId }),
    fs: shared.fs,
    state: shared.state,
    signal,
    dryRun: shared.dryRun,
    runId: shared.runId,
    journal: shared.journal,
    taskId,
    log: (level, message) => events.emit({ type: 'log', level, message, task: taskId }),
    progress: (done, total, unit, message) =>
      events.emit({
        type: 'progress',
        id: taskId,
        done,
        ...(total !== undefined ? { total } : {}),
        ...(unit !== undefined ? { unit } : {}),
        ...(message !== undefined ? { message } : {}),
      }),
    addArtifact: (artifact) => {
      shared.artifacts.push(artifact);
      events.emit({ type: 'artifact', artifact });
    },
    recordCloudCall: (call) => {
      shared.cloudCalls.push({ ...call, task: taskId });
      events.emit({ type: 'cloud-call', call, task: taskId });
    },
    cloud: (kind) => shared.clients.get(kind, ctx),
  };
  return ctx;
}
