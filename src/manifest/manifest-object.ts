/**
 * The Manifest tasks receive: validated data (frozen: bootstrap-vz said "the manifest shall not be
 * modified after it has been loaded" and relied on good behaviour; here it is enforced), the resolved
 * release, plugin lookups and variable expansion at the build's fixed time.
 */
import type { Manifest, ManifestData, ReleaseInfo } from '../api/manifest.js';
import { expandTemplate, manifestVariables } from './variables.js';

export function createManifest(file: string, data: ManifestData, release: ReleaseInfo, now: Date): Manifest {
  const frozen = deepFreeze(data);
  const vars = deepFreeze(manifestVariables(frozen, now));
  const plugins = frozen.plugins ?? {};
  return {
    file,
    data: frozen,
    release,
    pluginSettings: <T = Readonly<Record<string, unknown>>>(name: string): T | undefined =>
      Object.hasOwn(plugins, name) ? (plugins[name] as T) : undefined,
    isPluginEnabled: (name: string) => Object.hasOwn(plugins, name),
    expand: (template: string) => expandTemplate(template, vars),
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
