/**
 * The cloud journal on disk: one JSON line per event in `<state dir>/journal/<run id>.jsonl`, each
 * appended and fsync'd before the call returns, so a line survives a SIGKILL or a power cut the moment
 * a plugin's `await journal.intend(...)` resolves. Replaying the lines gives each resource's state.
 *
 * Host resources go to the same journal under the plugin name `host` (HOST_JOURNAL_PLUGIN, src/api/host-journal.ts): the workspace,
 * loop devices with their backing file, and the child processes the runner starts, so that
 * `bootstrap cleanup` can stop, unmount, detach and delete what a SIGKILLed build left (issue 16,
 * item 7). A build's journal starts with an `owner` line (the build's pid and its start time), so
 * cleanup leaves the runs of live builds alone. A run that journaled no cloud resource and released
 * every host resource removes its file when it ends: a finished local build leaves nothing.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudJournal, CloudResourceIntent, CloudResourceRecord } from '../api/cloud-journal.js';
import { HOST_JOURNAL_PLUGIN } from '../api/host-journal.js';

export const DEFAULT_STATE_DIR = '/var/lib/debian-image-bootstrap';

/** `BOOTSTRAP_STATE_DIR` overrides the state directory (tests, unprivileged dry runs). */
export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.BOOTSTRAP_STATE_DIR ?? DEFAULT_STATE_DIR, 'journal');
}

/** The build process that writes a journal: its pid and start time (clock ticks since boot). */
export interface JournalOwner {
  readonly pid: number;
  readonly start: string;
}

type JournalLine =
  | ({ readonly t: 'owner'; readonly at: string } & JournalOwner)
  | ({ readonly t: 'intend'; readonly at: string } & CloudResourceIntent)
  | { readonly t: 'created'; readonly at: string; readonly key: string; readonly id: string }
  | { readonly t: 'released'; readonly at: string; readonly key: string }
  | { readonly t: 'kept'; readonly at: string; readonly key: string }
  | { readonly t: 'end'; readonly at: string; readonly status: string };

export interface EngineJournal extends CloudJournal {
  /** Path of the journal file, when it has one. */
  readonly file?: string;
  /**
   * Closes the run: on success products are marked kept. `cleaned` is written by `bootstrap cleanup`
   * once nothing of the run is left.
   */
  finish(status: 'success' | 'failed' | 'interrupted' | 'cleaned'): Promise<void>;
}

/**
 * A journal that appends to `<dir>/<runId>.jsonl`. The file is created on the first line only, so a
 * build that touches no cloud leaves nothing in the state directory.
 */
export function createFileJournal(
  runId: string,
  dir: string = journalDir(),
  opts: { readonly owner?: JournalOwner } = {},
): EngineJournal {
  const file = join(dir, `${runId}.jsonl`);
  const products = new Set<string>();
  const released = new Set<string>();
  /** Host resources still open, and whether any cloud resource was journaled (then the file stays). */
  const openHost = new Set<string>();
  let cloud = false;
  let opened = false;
  const append = async (line: JournalLine): Promise<void> => {
    if (!opened) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // fsync the directory once so the new file's entry is durable too.
      const d = openSync(dir, 'r');
      try {
        fsyncSync(d);
      } finally {
        closeSync(d);
      }
      opened = true;
      if (opts.owner) await append({ t: 'owner', at: at(), ...opts.owner });
    }
    const fd = openSync(file, 'a', 0o600);
    try {
      writeSync(fd, JSON.stringify(line) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
  const at = () => new Date().toISOString();
  return {
    runId,
    file,
    async intend(resource) {
      if (resource.product) products.add(resource.key);
      if (resource.plugin === HOST_JOURNAL_PLUGIN) openHost.add(resource.key);
      else cloud = true;
      await append({ t: 'intend', at: at(), ...resource });
    },
    async created(key, id) {
      await append({ t: 'created', at: at(), key, id });
    },
    async released(key) {
      released.add(key);
      openHost.delete(key);
      await append({ t: 'released', at: at(), key });
    },
    async finish(status) {
      // A build that journaled nothing leaves no file; cleanup appends to an existing one.
      if (!opened && status !== 'cleaned') return;
      if (status !== 'cleaned' && !cloud && openHost.size === 0) {
        // Only host resources, all released: nothing for cleanup to do.
        rmSync(file, { force: true });
        return;
      }
      if (status === 'success') {
        for (const key of products) if (!released.has(key)) await append({ t: 'kept', at: at(), key });
      }
      await append({ t: 'end', at: at(), status });
    },
  };
}

/** A journal that keeps nothing: dry runs create no resources. */
export function createNullJournal(runId: string): EngineJournal {
  return {
    runId,
    intend: async () => {},
    created: async () => {},
    released: async () => {},
    finish: async () => {},
  };
}

export interface JournalRun {
  readonly runId: string;
  readonly file: string;
  /** Status of the `end` line, or undefined when the process died before writing it. */
  readonly endStatus?: string;
  /** The build process that wrote it (journals written before owner lines have none). */
  readonly owner?: JournalOwner;
  readonly resources: CloudResourceRecord[];
}

/** Replays one journal file; a torn last line (power cut mid-write) is ignored. */
export function replayJournal(runId: string, file: string, text: string): JournalRun {
  const byKey = new Map<string, CloudResourceRecord>();
  let endStatus: string | undefined;
  let owner: JournalOwner | undefined;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: JournalLine;
    try {
      line = JSON.parse(raw) as JournalLine;
    } catch {
      continue;
    }
    if (line.t === 'intend') {
      const { t: _t, at: _at, ...intent } = line;
      byKey.set(line.key, { ...intent, runId, state: 'intended' });
    } else if (line.t === 'end') {
      endStatus = line.status;
    } else if (line.t === 'owner') {
      owner = { pid: line.pid, start: line.start };
    } else {
      const record = byKey.get(line.key);
      if (!record) continue;
      if (line.t === 'created') {
        record.id = line.id;
        if (record.state === 'intended') record.state = 'created';
      } else {
        record.state = line.t;
      }
    }
  }
  return {
    runId,
    file,
    ...(endStatus !== undefined ? { endStatus } : {}),
    ...(owner !== undefined ? { owner } : {}),
    resources: [...byKey.values()],
  };
}

/** Every run in the journal directory (or only `runId`), oldest file name first. */
export async function readJournals(dir: string = journalDir(), runId?: string): Promise<JournalRun[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const runs: JournalRun[] = [];
  for (const name of names) {
    const id = name.slice(0, -'.jsonl'.length);
    if (runId !== undefined && id !== runId) continue;
    const file = join(dir, name);
    runs.push(replayJournal(id, file, await readFile(file, 'utf8')));
  }
  return runs;
}
