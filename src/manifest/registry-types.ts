/**
 * What the manifest loader needs from the plugin registry. The real registry lives elsewhere (it
 * discovers plugins/<name>/); the loader only looks plugins up, so tests can pass a tiny in-process one.
 */
import type { Plugin } from '../api/plugin.js';

export interface PluginRegistry {
  /** The plugin or provider with this name, if known. */
  get(name: string): Plugin | undefined;
  /** Every known plugin and provider. */
  all(): readonly Plugin[];
  /** The plugins of kind 'provider'. */
  providers(): readonly Plugin[];
  /**
   * Plugins active in every build whatever the manifest says (the base plugin). They have no key
   * under `plugins`, but their checks run like an enabled plugin's.
   */
  builtins?(): readonly Plugin[];
  /**
   * Loads the code of these plugins and of the builtins (a registry that loads code on demand:
   * src/registry/lazy-registry.ts). The loader calls it once the manifest matches the schema, with the
   * provider and the enabled plugins; a registry without it holds every plugin loaded.
   */
  load?(names: Iterable<string>): Promise<void>;
  /** False for a plugin whose code is not loaded yet (only a registry with `load`). */
  isLoaded?(name: string): boolean;
}

/** A registry that loads plugins' code on demand. */
export interface LoadableRegistry extends PluginRegistry {
  load(names: Iterable<string>): Promise<void>;
  /** Every plugin's code: for what needs all of them (cleanup's cleaners, tests). */
  loadAll(): Promise<void>;
  isLoaded(name: string): boolean;
}

/**
 * Orders plugins by name, by UTF-16 code unit: for the shipped plugins' names (lowercase ASCII, digits,
 * `_`) the order localeCompare gave. Not localeCompare: its first call sets up ICU's collator, about
 * 10 ms of every `bootstrap validate` (issue 17, item 6).
 */
export function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Known plugins of kind 'plugin' (providers excluded), sorted by name for stable schemas. */
export function pluginsOf(registry: PluginRegistry): Plugin[] {
  return registry
    .all()
    .filter((p) => p.kind === 'plugin')
    .sort(byName);
}

/** Known providers, sorted by name. */
export function providersOf(registry: PluginRegistry): Plugin[] {
  const seen = new Map<string, Plugin>();
  for (const p of [...registry.providers(), ...registry.all().filter((x) => x.kind === 'provider')]) {
    if (!seen.has(p.name)) seen.set(p.name, p);
  }
  return [...seen.values()].sort(byName);
}
