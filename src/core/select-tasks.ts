/**
 * Collects the tasks a manifest needs: the base plugin's, the provider's, then each enabled plugin's,
 * as bootstrap-vz's resolve_tasks did. Removals are applied after every plugin has added its tasks,
 * so a plugin that replaces another's task (cloud_init replacing the EC2 init scripts) wins whatever
 * the order in the manifest.
 */
import type { Manifest, Plugin, Task, TaskSet } from '../api/index.js';

export interface TaskSelection {
  readonly tasks: readonly Task[];
  /** Every task id any loaded plugin defines: an edge to one of these that is not planned is fine. */
  readonly knownIds: ReadonlySet<string>;
  readonly pluginOf: ReadonlyMap<string, string>;
  /** Which plugin removed which task, for `plan --explain` style output. */
  readonly removed: ReadonlyMap<string, string>;
}

export function selectTasks(
  manifest: Manifest,
  plugins: readonly Plugin[],
  all: readonly Plugin[],
): TaskSelection {
  const pluginOf = new Map<string, string>();
  for (const plugin of all) for (const task of plugin.tasks) pluginOf.set(task.id, plugin.name);

  const added = new Map<string, Task>();
  const removed = new Map<string, string>();
  for (const plugin of plugins) {
    const set: TaskSet = {
      add: (...tasks) => {
        for (const task of tasks) {
          added.set(task.id, task);
          if (!pluginOf.has(task.id)) pluginOf.set(task.id, plugin.name);
        }
      },
      remove: (...ids) => {
        for (const id of ids) removed.set(id, plugin.name);
      },
      has: (id) => added.has(id) && !removed.has(id),
    };
    plugin.resolveTasks(manifest, set);
  }
  const tasks = [...added.values()].filter((t) => !removed.has(t.id));
  return { tasks, knownIds: new Set(pluginOf.keys()), pluginOf, removed };
}

/** The plugins that take part in a build, in resolution order: base, the provider, enabled plugins. */
export function activePlugins(
  manifest: Manifest,
  base: Plugin | readonly Plugin[],
  registry: { get(name: string): Plugin | undefined },
): Plugin[] {
  const provider = registry.get(manifest.data.provider.name);
  const enabled = Object.keys(manifest.data.plugins ?? {}).flatMap((name) => {
    const p = registry.get(name);
    return p && p.kind === 'plugin' ? [p] : [];
  });
  return [...[base].flat(), ...(provider ? [provider] : []), ...enabled];
}
