/**
 * The registry the CLI uses: every plugin's name, kind and schema at once (from the catalog), a plugin's
 * code only after `load()` names it. Until then `get()` and `all()` return a stand-in with the
 * catalog's metadata and no tasks, whose `check` and `resolveTasks` throw: code that uses a plugin it
 * did not load is a bug and must fail loudly, not plan a build without that plugin's tasks.
 */
import type { Plugin } from '../api/index.js';
import { byName as compareNames, type LoadableRegistry } from '../manifest/registry-types.js';
import { BASE_ENTRY, PLUGIN_CATALOG, type CatalogEntry } from './plugin-catalog.js';

let builtin: LoadableRegistry | undefined;

/** The shipped providers and plugins, each loaded when a manifest uses it. */
export function builtinRegistry(): LoadableRegistry {
  return (builtin ??= createLazyRegistry(PLUGIN_CATALOG, [BASE_ENTRY]));
}

export function createLazyRegistry(
  entries: readonly CatalogEntry[],
  builtinEntries: readonly CatalogEntry[],
): LoadableRegistry {
  const byName = new Map<string, Plugin>();
  const entryOf = new Map<string, CatalogEntry>();
  for (const entry of [...builtinEntries, ...entries]) {
    if (entryOf.has(entry.name)) throw new Error(`two plugins are named ${entry.name}`);
    entryOf.set(entry.name, entry);
    byName.set(entry.name, standIn(entry));
  }
  const unloaded = new Set(entryOf.keys());
  const sorted = (): Plugin[] => entries.map((e) => byName.get(e.name) as Plugin).sort(compareNames);

  async function loadOne(entry: CatalogEntry): Promise<void> {
    if (!unloaded.has(entry.name)) return;
    const plugin = await entry.load();
    if (plugin.name !== entry.name || plugin.kind !== entry.kind) {
      throw new Error(`the catalog's ${entry.kind} ${entry.name} loaded as ${plugin.kind} ${plugin.name}`);
    }
    byName.set(entry.name, plugin);
    unloaded.delete(entry.name);
  }

  return {
    get: (name) => byName.get(name),
    all: sorted,
    providers: () => sorted().filter((p) => p.kind === 'provider'),
    builtins: () => builtinEntries.map((e) => byName.get(e.name) as Plugin),
    async load(names) {
      const wanted = [...builtinEntries, ...[...names].flatMap((n) => entryOf.get(n) ?? [])];
      await Promise.all(wanted.map(loadOne));
    },
    async loadAll() {
      await Promise.all([...entryOf.values()].map(loadOne));
    },
    isLoaded: (name) => entryOf.has(name) && !unloaded.has(name),
  };
}

function standIn(entry: CatalogEntry): Plugin {
  const notLoaded = (): never => {
    throw new Error(`bug: ${entry.kind} ${entry.name} was used before the registry loaded its code`);
  };
  return {
    name: entry.name,
    kind: entry.kind,
    description: entry.description,
    schema: entry.schema,
    ...(entry.manifestSchema ? { manifestSchema: entry.manifestSchema } : {}),
    ...(entry.backings ? { backings: entry.backings } : {}),
    tasks: [],
    check: notLoaded,
    resolveTasks: notLoaded,
  };
}
