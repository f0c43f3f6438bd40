/** The manifest pipeline's public surface for the rest of the core (CLI, engine, registry). */
export { loadManifest, formatIssue, type LoadOptions, type LoadResult } from './load-manifest.js';
export type { ManifestIssue } from './issue.js';
export type { PluginRegistry } from './registry-types.js';
export { buildManifestSchema } from './combined-schema.js';
export { coreSchema } from './core-schema.js';
export {
  resolveRelease,
  knownReleases,
  releaseAliases,
  compareVersions,
  type ReleaseRecord,
} from './releases.js';
export {
  expandTemplate,
  manifestVariables,
  DEFAULT_APT_MIRROR,
  DEFAULT_APT_SECURITY,
  TemplateError,
} from './variables.js';
