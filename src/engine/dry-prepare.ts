/**
 * Runs a plan's preparation phase as a dry run and returns the state it leaves: the volume layout,
 * the packages and bootstrap includes the tasks add. Preflight checks (src/core/preflight.ts) read it
 * to reason about the build before any of it is done; nothing here touches the host.
 */
import type { Manifest } from '../api/manifest.js';
import { BuildState } from '../api/state.js';
import type { Plan } from '../graph/resolve-plan.js';
import { createRecordingFs } from '../runner/build-fs.js';
import { createRecordingRunner } from '../runner/recording-runner.js';
import { createNullJournal } from './cloud-journal-file.js';
import { createTaskContext, type SharedContext } from './task-context.js';

/** The state after the preparation tasks, or undefined when one of them failed even as a dry run. */
export async function dryRunPreparation(
  plan: Plan,
  manifest: Manifest,
  signal: AbortSignal,
): Promise<BuildState | undefined> {
  const shared: SharedContext = {
    manifest,
    workspace: '/nonexistent/preflight',
    runner: createRecordingRunner(),
    fs: createRecordingFs(),
    state: new BuildState(),
    events: { emit: () => {} },
    dryRun: true,
    runId: 'preflight',
    journal: createNullJournal('preflight'),
    artifacts: [],
    cloudCalls: [],
  };
  for (const { task } of plan.tasks) {
    if (task.phase !== 'preparation') continue;
    try {
      await task.run(createTaskContext(shared, task.id, signal));
    } catch {
      // The build's own dry run reports it, with the task's name; a preflight has nothing to check.
      return undefined;
    }
  }
  return shared.state;
}
