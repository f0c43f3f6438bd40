/**
 * `bootstrap cleanup [--run ID] [--region R] [--dry-run]`: deletes cloud resources that builds left
 * behind after a SIGKILL, a power cut or expired credentials, using the journal
 * (src/engine/cloud-cleanup.ts) and each plugin's cleaners. Credentials come from the environment
 * or --profile, as for a build; the endpoint each resource was created at is in the journal.
 * Host resources first (src/volume/host-cleaners.ts): the children a killed build left running, its
 * mounts, loop devices and workspace. Runs whose build process is alive are left alone.
 */
import { HOST_JOURNAL_PLUGIN, type CloudCleaner } from '../../api/index.js';
import { cleanupRuns } from '../../engine/cloud-cleanup.js';
import { journalDir } from '../../engine/cloud-journal-file.js';
import { createNullLogger } from '../../log/logger.js';
import { createHostRunner } from '../../runner/host-runner.js';
import { hostCleaners, isSameProcess } from '../../volume/host-cleaners.js';
import { BUILTIN_PLUGINS } from '../../registry/builtin-registry.js';
import { CliExit, EXIT_BUILD_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import type { Output } from '../output.js';

export interface CleanupCommandOptions {
  readonly run?: string;
  readonly region?: string[];
  readonly endpoint?: string;
  readonly profile?: string;
  readonly dryRun?: boolean;
}

const RUN_ID = /^[0-9a-f]{8}$/;

export async function cleanupCommand(opts: CleanupCommandOptions, out: Output): Promise<number> {
  if (opts.run !== undefined && !RUN_ID.test(opts.run)) {
    throw new CliExit(
      EXIT_USAGE,
      `--run ${opts.run}: a run id is 8 hex digits (see the build log or report)`,
    );
  }
  if (opts.region?.length && !opts.run) {
    throw new CliExit(EXIT_USAGE, '--region searches one run by its build tag: give --run too');
  }
  const cleaners = new Map<string, readonly CloudCleaner[]>();
  // Host resources before cloud ones (the map's order is the deletion order).
  const runner = createHostRunner({ log: createNullLogger(), signal: new AbortController().signal });
  cleaners.set(HOST_JOURNAL_PLUGIN, hostCleaners(runner));
  for (const plugin of BUILTIN_PLUGINS)
    if (plugin.cleaners?.length) cleaners.set(plugin.name, plugin.cleaners);
  const dir = journalDir();
  const result = await cleanupRuns({
    dir,
    ...(opts.run ? { runId: opts.run } : {}),
    ...(opts.region ? { regions: opts.region } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
    cleaners,
    isRunning: isSameProcess,
    log: (message) => out.err(message),
  });
  for (const list of cleaners.values()) for (const c of list) await c.dispose?.();
  if (result.actions.length === 0) {
    out.err(`nothing to clean up${opts.run ? ` for run ${opts.run}` : ''} (journal: ${dir})`);
    return EXIT_OK;
  }
  for (const a of result.actions) {
    out.out(`${a.runId} ${a.outcome} ${a.kind} ${a.id}${a.region ? ` ${a.region}` : ''}`);
  }
  return result.ok ? EXIT_OK : EXIT_BUILD_FAILED;
}
