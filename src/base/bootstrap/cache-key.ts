/**
 * The content address of a bootstrap: sha256 over the canonical JSON of every input that changes the
 * tree. Two builds with the same key would produce the same tree (up to mirror updates, which the
 * package-installation phase's dist-upgrade brings in), so a cached tarball can stand in for a run.
 */
import { createHash } from 'node:crypto';
import type { Manifest } from '../../api/index.js';
import { resolveBootstrapPlan } from './bootstrap-plan.js';

/** Facts about the host that the tree depends on; gathered by host-info.ts, plain data for tests. */
export interface BootstrapHostInfo {
  /** `mmdebstrap --version` / `debootstrap --version` output, trimmed. */
  readonly toolVersion: string;
  /** The mirror used when the manifest names none (see mirror.ts). */
  readonly defaultMirror: string;
  /** sha256 of the keyring file's content, when `bootstrapper.keyring` is set. */
  readonly keyringSha256?: string;
}

/** Bump when the way a tree is produced changes (argv, tar flags) so old entries stop matching. */
export const CACHE_FORMAT = 3;

/** JSON with object keys sorted at every level, so equal inputs always serialize the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The inputs the key is computed from; also written to the cache entry's JSON sidecar. */
export function bootstrapCacheInputs(
  manifest: Manifest,
  host: BootstrapHostInfo,
  extraInclude: Iterable<string> = [],
): Record<string, unknown> {
  const plan = resolveBootstrapPlan(manifest, host.defaultMirror, extraInclude);
  return {
    format: CACHE_FORMAT,
    tool: plan.tool,
    toolVersion: host.toolVersion,
    suite: plan.suite,
    architecture: plan.architecture,
    variant: plan.variant ?? null,
    mirror: plan.mirror,
    components: plan.components,
    include: plan.include,
    exclude: plan.exclude,
    // The path is irrelevant, the content is what apt trusts.
    keyring: plan.keyring === undefined ? null : (host.keyringSha256 ?? null),
    checkGpg: plan.checkGpg,
    updateSources: plan.updateSources,
  };
}

export function bootstrapCacheKey(
  manifest: Manifest,
  host: BootstrapHostInfo,
  extraInclude: Iterable<string> = [],
): string {
  return createHash('sha256')
    .update(canonicalJson(bootstrapCacheInputs(manifest, host, extraInclude)))
    .digest('hex');
}
