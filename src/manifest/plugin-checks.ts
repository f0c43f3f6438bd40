/**
 * Runs the semantic checks of the selected provider and of every enabled plugin, and reports plugins
 * that declare a conflict with another enabled one. A check that throws is a bug in that plugin; it
 * is reported as such (at the plugin's key) instead of aborting the load.
 */
import type { Manifest } from '../api/manifest.js';
import type { Plugin } from '../api/plugin.js';
import type { IssueCollector } from './issue-collector.js';
import { joinPointer } from './pointer.js';
import type { PluginRegistry } from './registry-types.js';

export function runPluginChecks(manifest: Manifest, registry: PluginRegistry, issues: IssueCollector): void {
  for (const builtin of registry.builtins?.() ?? []) runCheck(builtin, '', manifest, issues);
  const provider = registry.get(manifest.data.provider.name);
  if (provider) runCheck(provider, '/provider', manifest, issues);
  const enabled = enabledPlugins(manifest, registry);
  for (const plugin of enabled) runCheck(plugin, joinPointer('/plugins', plugin.name), manifest, issues);
  checkConflicts(enabled, issues);
}

function enabledPlugins(manifest: Manifest, registry: PluginRegistry): Plugin[] {
  return Object.keys(manifest.data.plugins ?? {})
    .map((name) => registry.get(name))
    .filter((p): p is Plugin => p !== undefined && p.kind === 'plugin');
}

function runCheck(plugin: Plugin, pointer: string, manifest: Manifest, issues: IssueCollector): void {
  if (!plugin.check) return;
  try {
    plugin.check(manifest, issues);
  } catch (err) {
    issues.error(
      pointer,
      `internal error in the check of ${plugin.kind} "${plugin.name}": ${(err as Error).message}`,
      'this is a bug in the plugin, not in the manifest',
    );
  }
}

/** One error per conflicting pair, at the key of the plugin that declares the conflict. */
function checkConflicts(enabled: readonly Plugin[], issues: IssueCollector): void {
  const names = new Set(enabled.map((p) => p.name));
  const reported = new Set<string>();
  for (const plugin of enabled) {
    for (const other of plugin.conflicts ?? []) {
      if (!names.has(other) || other === plugin.name) continue;
      const pair = [plugin.name, other].sort().join('\0');
      if (reported.has(pair)) continue;
      reported.add(pair);
      issues.error(
        joinPointer('/plugins', plugin.name),
        `plugin "${plugin.name}" cannot be used together with plugin "${other}"`,
        `remove one of them from plugins`,
      );
    }
  }
}
