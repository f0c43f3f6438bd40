/**
 * Everything that decides what the bootstrapper puts into the tree, resolved from the manifest, the
 * build state and the host once, so the argv builders and the cache key read the same values.
 */
import type { Manifest } from '../../api/index.js';
import { resolveMirror } from './mirror.js';

export type BootstrapTool = 'mmdebstrap' | 'debootstrap';

export interface BootstrapPlan {
  readonly tool: BootstrapTool;
  readonly suite: string;
  readonly architecture: string;
  /** Undefined means the tool's default variant (debootstrap's; mmdebstrap calls it `debootstrap`). */
  readonly variant?: string;
  readonly mirror: string;
  readonly components: readonly string[];
  /** Sorted and deduplicated: order never changes the tree. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly keyring?: string;
  readonly checkGpg: 'default' | 'no' | 'force';
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].filter((v) => v !== '').sort();
}

export function resolveBootstrapPlan(
  manifest: Manifest,
  hostDefaultMirror: string,
  extraInclude: Iterable<string> = [],
): BootstrapPlan {
  const b = manifest.data.bootstrapper;
  const checkGpg = b['no-check-gpg'] === true ? 'no' : b['force-check-gpg'] === true ? 'force' : 'default';
  return {
    tool: b.tool ?? 'mmdebstrap',
    suite: manifest.release.suite,
    // The userspace architecture is what dpkg inside the image runs as (bootstrap-vz added the key
    // for a 64-bit kernel with a 32-bit userland); it defaults to the system architecture.
    architecture: manifest.data.system.userspace_architecture ?? manifest.data.system.architecture,
    ...(b.variant !== undefined ? { variant: b.variant } : {}),
    mirror: resolveMirror(manifest, hostDefaultMirror),
    components: [...(manifest.data.packages?.components ?? ['main'])],
    include: sortedUnique([...(b.include_packages ?? []), ...extraInclude]),
    exclude: sortedUnique(b.exclude_packages ?? []),
    ...(b.keyring !== undefined ? { keyring: b.keyring } : {}),
    checkGpg,
  };
}
