/**
 * Loading and planning a manifest in unit tests as `bootstrap plan` does (loadManifest, then
 * makePlan with the same registry), with extra or replacement plugins: one helper instead of the
 * copies of the planner that tests kept (issue 17, item 4).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Plugin } from '../../src/api/index.js';
import { basePlugin } from '../../src/base/base-plugin.js';
import { makePlan } from '../../src/core/make-plan.js';
import type { Plan } from '../../src/graph/resolve-plan.js';
import { loadManifest, type LoadResult } from '../../src/manifest/load-manifest.js';
import type { PluginRegistry } from '../../src/manifest/registry-types.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../src/registry/builtin-registry.js';
import { tempDir } from './fake-context.js';

export const BASE_MANIFEST = new URL('../../manifests/debian-qemu.yml', import.meta.url).pathname;
/** A fixed build date: release checks and name variables depend on it. */
export const NOW = new Date('2026-01-01T00:00:00Z');

/** The built-in plugins, with `extra` added or replacing the built-in of the same name. */
export function registryWith(...extra: readonly Plugin[]): PluginRegistry {
  const names = new Set(extra.map((p) => p.name));
  return createRegistry([...BUILTIN_PLUGINS.filter((p) => !names.has(p.name)), ...extra], [basePlugin]);
}

export function loadWith(file: string, ...extra: readonly Plugin[]): Promise<LoadResult> {
  return loadManifest(file, { registry: registryWith(...extra), now: NOW });
}

/** The manifest's load result and, when it loaded, its plan. */
export async function planWith(
  file: string,
  ...extra: readonly Plugin[]
): Promise<{ load: LoadResult; plan?: Plan }> {
  return planFile(file, { extra });
}

export async function planFile(
  file: string,
  opts: { extra?: readonly Plugin[]; set?: readonly string[] } = {},
): Promise<{ load: LoadResult; plan?: Plan }> {
  const registry = registryWith(...(opts.extra ?? []));
  const load = await loadManifest(file, { registry, now: NOW, ...(opts.set ? { set: [...opts.set] } : {}) });
  if (!load.manifest) return { load };
  return { load, plan: makePlan(load.manifest, registry).plan };
}

/** The ordered task ids of a manifest; throws when it does not load. */
export async function planIds(file: string, ...extra: readonly Plugin[]): Promise<string[]> {
  return plannedIds(file, { extra });
}

export async function plannedIds(
  file: string,
  opts: { extra?: readonly Plugin[]; set?: readonly string[] } = {},
): Promise<string[]> {
  const { load, plan } = await planFile(file, opts);
  if (!plan) throw new Error(JSON.stringify(load.errors));
  return plan.tasks.map((t) => t.task.id);
}

/** Loads `yaml` (which extends debian-qemu.yml) from a temp file; returns the file name and the result. */
export async function loadYaml(
  extra: readonly Plugin[],
  yaml: string,
): Promise<{ file: string; result: LoadResult }> {
  const dir = await tempDir();
  try {
    const file = join(dir.path, 'm.yml');
    await writeFile(file, `extends: ${BASE_MANIFEST}\n${yaml}`);
    return { file, result: await loadWith(file, ...extra) };
  } finally {
    await dir.cleanup();
  }
}
