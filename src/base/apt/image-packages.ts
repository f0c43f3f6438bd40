/**
 * The packages an image asks for, read in one place: `packages.install` (manifest variables expanded,
 * as everywhere else a manifest value is used) and then what tasks added to PACKAGES (the kernel, the
 * bootloader...). base/install-packages installs them, base/bootstrap-os hands the default-release
 * names to mmdebstrap, and the root-space preflight sizes the same list, so the three cannot drift.
 */
import { PACKAGES, type BuildState, type Manifest } from '../../api/index.js';
import { parsePackageSpec, type PackageSpec } from './package-spec.js';

/** Every entry once, manifest entries first. */
export function imagePackageSpecs(manifest: Manifest, state: BuildState): PackageSpec[] {
  const entries = [
    ...(manifest.data.packages?.install ?? []).map((e) => manifest.expand(e)),
    ...state.get(PACKAGES),
  ];
  return [...new Set(entries)].map(parsePackageSpec);
}

/** The names apt resolves from the default release: no `/target`, no local .deb file. */
export function defaultReleaseNames(specs: readonly PackageSpec[]): string[] {
  return specs.flatMap((s) => (s.kind === 'remote' && s.target === undefined ? [s.name] : []));
}
