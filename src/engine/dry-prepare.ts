/**
 * Runs a plan's preparation phase as a dry run and returns the state it leaves: the volume layout,
 * the packages and bootstrap includes the tasks add. Preflight checks (src/core/preflight.ts) read it
 * to reason about the build before any of it is done; nothing here touches the host.
 */
import type { BuildFs } from '../api/fs.js';
import type { Manifest } from '../api/manifest.js';
import type { CommandRunner } from '../api/runner.js';
import { BuildState } from '../api/state.js';
import type { Plan } from '../graph/resolve-plan.js';
import { createCloudClientCache } from './cloud-client-cache.js';
import { createNullJournal } from './cloud-journal-file.js';
import { createTaskContext, type SharedContext } from './task-context.js';

/** Recording stand-ins for the host, given by the caller: the engine builds no runner of its own. */
export interface DryRunHost {
  readonly runner: CommandRunner;
  readonly fs: BuildFs;
}

/** The state after the preparation tasks, or undefined when one of them failed even as a dry run. */
export async function dryRunPreparation(
  plan: Plan,
  manifest: Manifest,
  host: DryRunHost,
  signal: AbortSignal,
): Promise<BuildState | undefined> {
  const shared: SharedContext = {
    manifest,
    workspace: '/nonexistent/preflight',
    runner: host.runner,
    fs: host.fs,
    state: new BuildState(),
    events: { emit: () => {} },
    dryRun: true,
    runId: 'preflight',
    journal: createNullJournal('preflight'),
    artifacts: [],
    cloudCalls: [],
    clients: createCloudClientCache(true),
  };
  try {
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
  } finally {
    shared.clients.closeAll();
  }
}
