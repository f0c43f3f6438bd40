/**
 * `bootstrap cleanup`: deletes the cloud resources that builds left behind, from the journal (and the
 * build tag). A run that ended in success keeps its products; everything else still open in a run
 * (created and never released) is deleted by the owning plugin's cleaner, kinds in the plugin's
 * declared order. For runs that did not end in success, each cleaner is also asked for resources
 * tagged with the run, which finds what was created but never journaled (SIGKILL inside the create
 * call). Deleted resources are journaled as released, and a fully cleaned run gets `end: cleaned`.
 * Host resources (plugin `host`: processes, mounts, loop devices, the workspace) are cleaned the same
 * way by the host cleaners the CLI passes first. A run whose build process is still alive (its
 * journal's owner line) is left alone whatever it holds.
 */
import type { CloudCleaner, CloudResourceRecord, CleanupScope } from '../api/cloud-journal.js';
import { errorMessage } from './build-result.js';
import { createFileJournal, readJournals, type JournalOwner, type JournalRun } from './cloud-journal-file.js';

export interface CleanupOptions {
  readonly dir: string;
  /** Only this run. */
  readonly runId?: string;
  /** Also search these regions by build tag, e.g. when the journal was lost (needs runId). */
  readonly regions?: readonly string[];
  readonly endpoint?: string;
  readonly profile?: string;
  readonly dryRun?: boolean;
  /** Cleaners by plugin name. */
  readonly cleaners: ReadonlyMap<string, readonly CloudCleaner[]>;
  readonly log: (message: string) => void;
  /** Whether the build that owns a journal still runs (same pid, same start time): then it is skipped. */
  readonly isRunning?: (owner: JournalOwner) => boolean;
}

export interface CleanupAction {
  readonly runId: string;
  readonly plugin: string;
  readonly kind: string;
  readonly id: string;
  readonly region?: string;
  readonly outcome: 'deleted' | 'absent' | 'would delete' | 'failed';
  readonly error?: string;
}

export interface CleanupResult {
  readonly actions: CleanupAction[];
  /** False when a deletion failed (the run stays open in the journal for the next cleanup). */
  readonly ok: boolean;
}

interface Target {
  plugin: string;
  kind: string;
  id: string;
  region?: string;
  endpoint?: string;
  key?: string;
}

export async function cleanupRuns(opts: CleanupOptions): Promise<CleanupResult> {
  const runs = await readJournals(opts.dir, opts.runId);
  if (opts.runId && runs.length === 0 && opts.regions?.length) {
    runs.push({ runId: opts.runId, file: '', resources: [] });
  }
  const actions: CleanupAction[] = [];
  for (const run of runs) actions.push(...(await cleanRun(run, opts)));
  return { actions, ok: actions.every((a) => a.outcome !== 'failed') };
}

async function cleanRun(run: JournalRun, opts: CleanupOptions): Promise<CleanupAction[]> {
  const open = run.resources.filter((r) => r.state === 'intended' || r.state === 'created');
  const finished = run.endStatus === 'success' || run.endStatus === 'cleaned';
  if (finished && open.length === 0) return [];
  if (run.owner && opts.isRunning?.(run.owner)) {
    opts.log(`run ${run.runId}: the build is still running (pid ${run.owner.pid}); left alone`);
    return [];
  }
  const kept = new Set(run.resources.filter((r) => r.state === 'kept' && r.id).map((r) => r.id as string));

  const targets = new Map<string, Target>();
  const add = (t: Target) => {
    const id = `${t.plugin} ${t.kind} ${t.region ?? ''} ${t.id}`;
    if (!targets.has(id) && !kept.has(t.id)) targets.set(id, t);
  };
  for (const r of open) if (r.id) add(targetOf(r, r.id));

  if (!finished) {
    // Places the run touched (plugin, region, endpoint), plus the regions asked for on the command line.
    const places = new Map<string, { plugin: string; region?: string; endpoint?: string }>();
    for (const r of run.resources) {
      places.set(`${r.plugin} ${r.region ?? ''} ${r.endpoint ?? ''}`, {
        plugin: r.plugin,
        ...(r.region ? { region: r.region } : {}),
        ...(r.endpoint ? { endpoint: r.endpoint } : {}),
      });
    }
    for (const region of opts.regions ?? []) {
      for (const plugin of opts.cleaners.keys()) {
        places.set(`${plugin} ${region} ${opts.endpoint ?? ''}`, {
          plugin,
          region,
          ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        });
      }
    }
    for (const place of places.values()) {
      for (const cleaner of opts.cleaners.get(place.plugin) ?? []) {
        if (!cleaner.findTagged) continue;
        try {
          for (const id of await cleaner.findTagged(scopeOf(run.runId, place, opts))) {
            add({ ...place, kind: cleaner.kind, id });
          }
        } catch (error) {
          opts.log(
            `run ${run.runId}: cannot search ${place.plugin} ${cleaner.kind}s by tag: ${errorMessage(error)}`,
          );
        }
      }
    }
  }

  const actions: CleanupAction[] = [];
  const journal = run.file && !opts.dryRun ? createFileJournal(run.runId, dirOf(run.file)) : undefined;
  // Per plugin, kinds in the cleaner order (AMIs before the snapshots they use).
  const ordered = [...targets.values()].sort((a, b) => rank(a, opts) - rank(b, opts));
  for (const t of ordered) {
    const cleaner = opts.cleaners.get(t.plugin)?.find((c) => c.kind === t.kind);
    const base = {
      runId: run.runId,
      plugin: t.plugin,
      kind: t.kind,
      id: t.id,
      ...(t.region ? { region: t.region } : {}),
    };
    if (!cleaner) {
      actions.push({ ...base, outcome: 'failed', error: `no cleaner for ${t.plugin} ${t.kind}` });
      continue;
    }
    if (opts.dryRun) {
      actions.push({ ...base, outcome: 'would delete' });
      continue;
    }
    try {
      const outcome = await cleaner.remove(t.id, scopeOf(run.runId, t, opts));
      actions.push({ ...base, outcome });
      for (const r of open) if (r.id === t.id && r.kind === t.kind) await journal?.released(r.key);
    } catch (error) {
      actions.push({ ...base, outcome: 'failed', error: errorMessage(error) });
    }
  }
  for (const a of actions)
    opts.log(
      `run ${a.runId}: ${a.outcome} ${a.plugin} ${a.kind} ${a.id}${a.region ? ` (${a.region})` : ''}${a.error ? `: ${a.error}` : ''}`,
    );
  const idless = open.filter((r) => !r.id);
  if (journal && actions.every((a) => a.outcome !== 'failed')) {
    // Intents without an id were searched by tag above; nothing more can be done for them.
    for (const r of idless) await journal.released(r.key);
    await appendEnd(journal);
  }
  return actions;
}

function targetOf(r: CloudResourceRecord, id: string): Target {
  return {
    plugin: r.plugin,
    kind: r.kind,
    id,
    key: r.key,
    ...(r.region ? { region: r.region } : {}),
    ...(r.endpoint ? { endpoint: r.endpoint } : {}),
  };
}

function scopeOf(
  runId: string,
  place: { region?: string; endpoint?: string },
  opts: CleanupOptions,
): CleanupScope {
  return {
    runId,
    ...(place.region ? { region: place.region } : {}),
    ...((place.endpoint ?? opts.endpoint) ? { endpoint: (place.endpoint ?? opts.endpoint) as string } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    log: opts.log,
  };
}

function rank(t: Target, opts: CleanupOptions): number {
  const plugins = [...opts.cleaners.keys()];
  const kinds = opts.cleaners.get(t.plugin) ?? [];
  const k = kinds.findIndex((c) => c.kind === t.kind);
  return plugins.indexOf(t.plugin) * 1000 + (k < 0 ? 999 : k);
}

function dirOf(file: string): string {
  return file.slice(0, file.lastIndexOf('/'));
}

async function appendEnd(journal: ReturnType<typeof createFileJournal>): Promise<void> {
  await journal.finish('cleaned');
}
