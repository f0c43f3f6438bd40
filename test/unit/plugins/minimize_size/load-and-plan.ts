/**
 * Test helper for the minimize_size, tmpfs_workspace and prebootstrapped plugins before they are
 * registered: loads a manifest with a registry that includes them and orders its tasks.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plugin } from '../../../../src/api/index.js';
import { basePlugin } from '../../../../src/base/base-plugin.js';
import { activePlugins, selectTasks } from '../../../../src/core/select-tasks.js';
import { resolvePlan } from '../../../../src/graph/resolve-plan.js';
import { loadManifest, type LoadResult } from '../../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';
import { tempDir } from '../../../helpers/fake-context.js';

export const BASE_MANIFEST = new URL('../../../../manifests/debian-qemu.yml', import.meta.url).pathname;
export const NOW = new Date('2025-01-01T00:00:00Z');

function registryWith(plugins: readonly Plugin[]) {
  const names = new Set(plugins.map((p) => p.name));
  return createRegistry([...BUILTIN_PLUGINS.filter((p) => !names.has(p.name)), ...plugins], [basePlugin]);
}

export async function loadWith(plugins: readonly Plugin[], file: string): Promise<LoadResult> {
  return loadManifest(file, { registry: registryWith(plugins), now: NOW });
}

/** Loads `yaml` (which extends debian-qemu.yml) from a temp file; returns the file name and the result. */
export async function loadYaml(
  plugins: readonly Plugin[],
  yaml: string,
): Promise<{ file: string; result: LoadResult }> {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'm.yml');
    await writeFile(file, `extends: ${BASE_MANIFEST}\n${yaml}`);
    return { file, result: await loadWith(plugins, file) };
  } finally {
    await dir.cleanup();
  }
}

/** The ordered task ids of a manifest file. */
export async function planIds(plugins: readonly Plugin[], file: string): Promise<string[]> {
  const result = await loadWith(plugins, file);
  if (!result.manifest) throw new Error(JSON.stringify(result.errors));
  const registry = registryWith(plugins);
  const active = activePlugins(result.manifest, basePlugin, registry);
  const selection = selectTasks(result.manifest, active, [basePlugin, ...registry.all()]);
  const plan = resolvePlan({
    tasks: selection.tasks,
    knownIds: selection.knownIds,
    pluginOf: selection.pluginOf,
  });
  return plan.tasks.map((t) => t.task.id);
}
