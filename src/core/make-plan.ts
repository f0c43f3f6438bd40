/** From a validated manifest to the ordered plan: select the tasks, then resolve their order. */
import type { Manifest } from '../api/index.js';
import { resolvePlan, type Plan } from '../graph/resolve-plan.js';
import { builtinRegistry } from '../registry/builtin-registry.js';
import { activePlugins, selectTasks, type TaskSelection } from './select-tasks.js';

export interface ManifestPlan {
  readonly plan: Plan;
  readonly selection: TaskSelection;
}

/** Throws PlanError (src/graph) when the tasks cannot be ordered. */
export function makePlan(manifest: Manifest): ManifestPlan {
  const registry = builtinRegistry();
  // The base plugin comes from the registry (its builtins), so core does not import src/base.
  const builtins = registry.builtins?.() ?? [];
  const plugins = activePlugins(manifest, builtins, registry);
  const selection = selectTasks(manifest, plugins, [...builtins, ...registry.all()]);
  const plan = resolvePlan({
    tasks: selection.tasks,
    knownIds: selection.knownIds,
    pluginOf: selection.pluginOf,
  });
  return { plan, selection };
}
