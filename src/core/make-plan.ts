/** From a validated manifest to the ordered plan: select the tasks, then resolve their order. */
import type { Manifest } from '../api/index.js';
import { resolvePlan, type Plan } from '../graph/resolve-plan.js';
import type { PluginRegistry } from '../manifest/registry-types.js';
import { builtinRegistry } from '../registry/lazy-registry.js';
import { activePlugins, selectTasks, type TaskSelection } from './select-tasks.js';

export interface ManifestPlan {
  readonly plan: Plan;
  readonly selection: TaskSelection;
}

/**
 * Throws PlanError (src/graph) when the tasks cannot be ordered. `registry` must hold the code of the
 * manifest's plugins: loadManifest with the same registry loads it.
 */
export function makePlan(manifest: Manifest, registry: PluginRegistry = builtinRegistry()): ManifestPlan {
  // The base plugin comes from the registry (its builtins), so core does not import src/base.
  const builtins = registry.builtins?.() ?? [];
  const plugins = activePlugins(manifest, builtins, registry);
  const selection = selectTasks(manifest, plugins, [...builtins, ...registry.all()]);
  const plan = resolvePlan({
    tasks: selection.tasks,
    knownIds: withUnloaded(selection.knownIds, registry),
    pluginOf: selection.pluginOf,
  });
  return { plan, selection };
}

/**
 * The task ids an edge may name without being planned. A plugin whose code was not loaded (the
 * manifest does not use it) has unknown task ids, so any id under its name counts as known; that every
 * edge of every plugin names a real task is checked with all plugins loaded (test/unit/registry).
 */
function withUnloaded(known: ReadonlySet<string>, registry: PluginRegistry): ReadonlySet<string> {
  const unloaded = new Set(
    registry
      .all()
      .filter((p) => registry.isLoaded?.(p.name) === false)
      .map((p) => p.name),
  );
  if (unloaded.size === 0) return known;
  return new (class extends Set<string> {
    override has(id: string): boolean {
      return super.has(id) || unloaded.has(id.slice(0, id.indexOf('/')));
    }
  })(known);
}
