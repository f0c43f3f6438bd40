/**
 * The base plugin's preflight: will the packages fit in the root partition? Estimated from the
 * archive's Installed-Size of everything the bootstrap and the apt tasks will install (the package
 * set the preparation phase resolved, see src/core/preflight.ts), plus what apt keeps while the image
 * is built (its lists and binary caches, removed again at cleaning) and an initramfs per kernel. A
 * root partition that cannot hold that is a manifest error at `volume.partitions.root.size`, before
 * anything is created, instead of a full disk minutes into the bootstrap.
 *
 * Downloaded .deb files are not counted: they go to the build's own archive on the host
 * (src/base/apt/build-archives.ts), never into the image.
 */
import { join } from 'node:path';
import { formatSize, VOLUME, type PreflightContext } from '../../api/index.js';
import { defaultReleaseNames, imagePackageSpecs } from '../apt/image-packages.js';
import { bootstrapIncludes, bootstrapTool } from '../bootstrap/bootstrap-os.js';
import { resolveBootstrapPlan } from '../bootstrap/bootstrap-plan.js';
import { cacheDir } from '../bootstrap/constants.js';
import { hostDefaultMirror } from '../bootstrap/mirror.js';
import { fetchPackagesIndex, type PackagesIndex } from './packages-index.js';
import { installedBytes, selectPackages } from './select-packages.js';

/** ext4/xfs keep about 5% for metadata and root's reserve; the tree must fit in the rest. */
export const USABLE_FRACTION = 0.93;

/**
 * apt's lists stay in the image until system cleaning, and its pkgcache.bin and srcpkgcache.bin
 * are each about three quarters of the lists' size (measured on trixie and bookworm amd64 main:
 * 57 MB of lists, 2 x 42 MB of caches).
 */
const APT_STATE_PER_LIST_BYTE = 2.5;

/**
 * The initramfs a kernel package gets at installation (not in its Installed-Size): 18 MB for trixie's
 * cloud kernel (measured), 40 to 70 MB for a generic one with MODULES=most. The lower figures are
 * used: the estimate must never refuse a root that would have held the system.
 */
function initramfsBytes(kernel: string): number {
  return (kernel.includes('-cloud-') ? 16 : 40) * 2 ** 20;
}

export interface RootEstimate {
  readonly packages: number;
  readonly installedBytes: number;
  readonly aptStateBytes: number;
  readonly initramfsBytes: number;
  readonly totalBytes: number;
  readonly unknown: readonly string[];
}

export function estimateRoot(index: PackagesIndex, sel: Parameters<typeof selectPackages>[1]): RootEstimate {
  const { names, unknown } = selectPackages(index, sel);
  const installed = installedBytes(index, names);
  const kernels = [...names].filter((n) => /^linux-image-\d/.test(n));
  const aptState = Math.round(index.listBytes * APT_STATE_PER_LIST_BYTE);
  const initramfs = kernels.reduce((sum, k) => sum + initramfsBytes(k), 0);
  return {
    packages: names.size,
    installedBytes: installed,
    aptStateBytes: aptState,
    initramfsBytes: initramfs,
    totalBytes: installed + aptState + initramfs,
    unknown,
  };
}

const MIB = 2 ** 20;
const mib = (bytes: number): string => formatSize(Math.ceil(bytes / MIB) * MIB);

export async function checkRootSpace(ctx: PreflightContext): Promise<void> {
  const { manifest, state, report } = ctx;
  const root = state.get(VOLUME)?.partitions.find((p) => p.mountpoint === '/');
  if (root === undefined) return;
  const tool = bootstrapTool(ctx);
  const plan = resolveBootstrapPlan(manifest, await hostDefaultMirror(), bootstrapIncludes(ctx, tool));
  const named = defaultReleaseNames(imagePackageSpecs(manifest, state));
  const pointer =
    manifest.data.volume.partitions.type === 'none' ? '/volume/partitions' : '/volume/partitions/root/size';
  let index: PackagesIndex;
  try {
    index = await fetchPackagesIndex(plan.mirror, plan.suite, plan.components, plan.architecture, {
      signal: ctx.signal,
      cacheDir: join(cacheDir(manifest), 'indices'),
    });
  } catch (e) {
    report.warn(
      pointer,
      `could not check that the packages fit in the root partition: ${(e as Error).message}`,
      'the build checks the mirror again before any work; --offline skips this check',
    );
    return;
  }
  const estimate = estimateRoot(index, {
    tool: plan.tool,
    variant: plan.variant,
    include: [...plan.include, ...named],
    exclude: plan.exclude,
  });
  const usable = root.sizeBytes * USABLE_FRACTION;
  if (estimate.totalBytes <= usable) return;
  report.error(
    pointer,
    `the root partition (${mib(root.sizeBytes)}, about ${mib(usable)} usable) is too small for the ` +
      `${estimate.packages} packages of ${plan.suite}/${plan.architecture}: they need about ` +
      `${mib(estimate.totalBytes)} (${mib(estimate.installedBytes)} installed, ` +
      `${mib(estimate.aptStateBytes)} of apt lists and caches during the build` +
      (estimate.initramfsBytes > 0 ? `, ${mib(estimate.initramfsBytes)} of initramfs` : '') +
      ')',
    `raise the root partition to at least ${mib(estimate.totalBytes / USABLE_FRACTION)}`,
  );
}
