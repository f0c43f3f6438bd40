/**
 * The engine's cache of cloud clients (src/api/cloud-clients.ts): one set per kind and build, the
 * recording set in a dry run, closed when the build and its rollback are over.
 */
import type { CloudClientKind } from '../api/cloud-clients.js';
import type { TaskContext } from '../api/task.js';

/** Where a build's clients are kept; the engine owns one per build. */
export interface CloudClientCache {
  get<T>(kind: CloudClientKind<T>, ctx: TaskContext): Promise<T>;
  /** Closes every set made so far. */
  closeAll(): void;
}

/**
 * A cache that makes each kind's clients once: recording ones when `dryRun`, unless `given` holds
 * clients for the kind's name (tests, and callers that made them already).
 */
export function createCloudClientCache(
  dryRun: boolean,
  given: ReadonlyMap<string, unknown> = new Map(),
): CloudClientCache {
  const made = new Map<string, { kind: CloudClientKind<unknown>; clients: Promise<unknown> }>();
  return {
    get<T>(kind: CloudClientKind<T>, ctx: TaskContext): Promise<T> {
      if (given.has(kind.name)) return Promise.resolve(given.get(kind.name) as T);
      let entry = made.get(kind.name);
      if (!entry) {
        const clients = dryRun ? kind.record(ctx) : kind.connect(ctx);
        entry = { kind: kind as CloudClientKind<unknown>, clients };
        made.set(kind.name, entry);
        // A failed connect is not cached: the next task (or the undo) may try again.
        clients.catch(() => made.delete(kind.name));
      }
      return entry.clients as Promise<T>;
    },
    closeAll(): void {
      for (const { kind, clients } of made.values())
        clients.then((c) => kind.close?.(c)).catch(() => undefined);
      made.clear();
    },
  };
}
