/**
 * Everything that decides what the bootstrapper puts into the tree, resolved from the manifest, the
 * build state and the host once, so the argv builders and the cache key read the same values.
 */
import type { Manifest } from '../../api/index.js';
import { isUnstable, usesOldSecurityLayout } from '../apt/apt-sources.js';
import { DEFAULT_SECURITY_MIRROR } from './constants.js';
import { resolveMirror, withTrailingSlash } from './mirror.js';

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
  /**
   * mmdebstrap: `<suite>-updates` and the security suite as extra sources, so the packages it installs
   * are already the current ones and the later dist-upgrade has nothing to do.
   */
  readonly updateSources: readonly string[];
}

function updateSources(
  manifest: Manifest,
  mirror: string,
  components: readonly string[],
  tool: BootstrapTool,
): string[] {
  if (tool !== 'mmdebstrap' || isUnstable(manifest)) return [];
  const suite = manifest.release.suite;
  const comps = components.join(' ');
  const security = withTrailingSlash(manifest.data.packages?.security ?? DEFAULT_SECURITY_MIRROR);
  const securitySuite = usesOldSecurityLayout(manifest) ? `${suite}/updates` : `${suite}-security`;
  return [`deb ${mirror} ${suite}-updates ${comps}`, `deb ${security} ${securitySuite} ${comps}`];
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
  const tool = b.tool ?? 'mmdebstrap';
  const mirror = resolveMirror(manifest, hostDefaultMirror);
  const components = [...(manifest.data.packages?.components ?? ['main'])];
  return {
    tool,
    suite: manifest.release.suite,
    // The userspace architecture is what dpkg inside the image runs as (bootstrap-vz added the key
    // for a 64-bit kernel with a 32-bit userland); it defaults to the system architecture.
    architecture: manifest.data.system.userspace_architecture ?? manifest.data.system.architecture,
    ...(b.variant !== undefined ? { variant: b.variant } : {}),
    mirror,
    components,
    include: sortedUnique([...(b.include_packages ?? []), ...extraInclude]),
    exclude: sortedUnique(b.exclude_packages ?? []),
    ...(b.keyring !== undefined ? { keyring: b.keyring } : {}),
    checkGpg,
    updateSources: checkGpg === 'no' ? [] : updateSources(manifest, mirror, components, tool),
  };
}
