/**
 * Loads and plans a manifest with extra plugins, as `bootstrap plan` would once they are registered
 * (makePlan itself only knows the built-in registry).
 */
import type { Plugin } from '../../../../src/api/index.js';
import { basePlugin } from '../../../../src/base/base-plugin.js';
import { activePlugins, selectTasks } from '../../../../src/core/select-tasks.js';
import { resolvePlan, type Plan } from '../../../../src/graph/resolve-plan.js';
import { loadManifest, type LoadResult } from '../../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';

export const NOW = new Date('2026-01-01T00:00:00Z');

export function registryWith(...extra: readonly Plugin[]) {
  const names = new Set(extra.map((p) => p.name));
  return createRegistry([...BUILTIN_PLUGINS.filter((p) => !names.has(p.name)), ...extra], [basePlugin]);
}

export async function loadWith(file: string, ...extra: readonly Plugin[]): Promise<LoadResult> {
  return loadManifest(file, { registry: registryWith(...extra), now: NOW });
}

export async function planWith(
  file: string,
  ...extra: readonly Plugin[]
): Promise<{ load: LoadResult; plan?: Plan }> {
  const registry = registryWith(...extra);
  const load = await loadManifest(file, { registry, now: NOW });
  if (!load.manifest) return { load };
  const plugins = activePlugins(load.manifest, basePlugin, registry);
  const selection = selectTasks(load.manifest, plugins, [basePlugin, ...registry.all()]);
  return {
    load,
    plan: resolvePlan({ tasks: selection.tasks, knownIds: selection.knownIds, pluginOf: selection.pluginOf }),
  };
}
