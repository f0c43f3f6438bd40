/**
 * base/bootstrap-os: installs the Debian base system into the mounted image root, from the bootstrap
 * cache when an entry with the same key exists, otherwise with mmdebstrap (default) or debootstrap,
 * saving the result to the cache for the next build.
 */
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import {
  BOOTSTRAP_INCLUDE,
  INSTALL_PACKAGES_AFTER_BOOTSTRAP,
  imageRoot,
  stateKey,
  type Task,
  type TaskContext,
} from '../../api/index.js';
import { defaultReleaseNames, imagePackageSpecs } from '../apt/image-packages.js';
import { FRESH_BOOTSTRAP } from '../apt/fresh-bootstrap.js';
import { resolveBootstrapPlan, type BootstrapPlan, type BootstrapTool } from './bootstrap-plan.js';
import { bootstrapArgv } from './bootstrap-argv.js';
import { acquireLock } from './cache-lock.js';
import { bootstrapCacheInputs, bootstrapCacheKey } from './cache-key.js';
import {
  cacheEntryPaths,
  cacheHit,
  ensureCacheDir,
  publishEntry,
  removePartials,
  type CacheEntryPaths,
} from './cache-store.js';
import { bootstrapCacheDir, bootstrapCacheEnabled } from './constants.js';
import { gatherHostInfo } from './host-info.js';
import { mountsBelow } from './mounts-below.js';
import { runBootstrapper } from './run-bootstrapper.js';
import { createTarball, extractTarball } from './tar-archive.js';

/** The cache entry this build is working on, so undo can remove its partial file and lock. */
const CACHE_ENTRY = stateKey<CacheEntryPaths | undefined>('base/bootstrap-cache-entry', () => undefined);

export function bootstrapTool(ctx: Pick<TaskContext, 'manifest'>): BootstrapTool {
  return ctx.manifest.data.bootstrapper.tool ?? 'mmdebstrap';
}

async function restore(ctx: TaskContext, paths: CacheEntryPaths, root: string): Promise<void> {
  ctx.log('info', `bootstrap cache hit: unpacking ${paths.tarball}`);
  ctx.progress(0, 1, 'steps', 'unpacking cached bootstrap');
  await extractTarball(ctx, paths.tarball, root);
  ctx.progress(1, 1, 'steps', 'unpacked cached bootstrap');
}

/**
 * What the bootstrapper installs besides its variant: BOOTSTRAP_INCLUDE, and with mmdebstrap the image's
 * packages too (packages.install names from the default release, and what tasks added to PACKAGES).
 * One mmdebstrap run resolves and installs everything far faster than a second apt-get run in the
 * chroot, and the cached tree then holds the whole package set, so a rebuild skips both.
 * base/install-packages still runs afterwards for what cannot go here (other targets, local .deb
 * files) and finds the rest installed.
 */
export function bootstrapIncludes(
  ctx: Pick<TaskContext, 'manifest' | 'state'>,
  tool: BootstrapTool,
): string[] {
  const extra = [...ctx.state.get(BOOTSTRAP_INCLUDE)];
  if (tool !== 'mmdebstrap' || ctx.state.get(INSTALL_PACKAGES_AFTER_BOOTSTRAP)) return extra;
  return [...extra, ...defaultReleaseNames(imagePackageSpecs(ctx.manifest, ctx.state))];
}

/** After mmdebstrap ran with the update suites, its lists and packages are current (see fresh-bootstrap.ts). */
function markFresh(ctx: TaskContext, plan: BootstrapPlan, included: readonly string[]): void {
  if (plan.tool !== 'mmdebstrap' || plan.updateSources.length === 0) return;
  const main = `deb ${plan.mirror} ${plan.suite} ${plan.components.join(' ')}`;
  ctx.state.set(FRESH_BOOTSTRAP, { sources: [main, ...plan.updateSources], included: new Set(included) });
}

export const bootstrapOs: Task = {
  id: 'base/bootstrap-os',
  phase: 'os-installation',
  description: 'Installing the Debian base system',
  hostCommands: ['mmdebstrap', 'tar'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const tool = bootstrapTool(ctx);
    const host = await gatherHostInfo(ctx, tool);
    const extra = bootstrapIncludes(ctx, tool);
    const plan = resolveBootstrapPlan(ctx.manifest, host.defaultMirror, extra);

    if (ctx.dryRun || !bootstrapCacheEnabled(ctx.manifest)) {
      if (ctx.dryRun) await ctx.runner.run(bootstrapArgv(plan, root, undefined));
      else {
        await runBootstrapper(ctx, plan, root);
        markFresh(ctx, plan, extra);
      }
      return;
    }

    const key = bootstrapCacheKey(ctx.manifest, host, extra);
    const dir = bootstrapCacheDir(ctx.manifest);
    const paths = cacheEntryPaths(dir, key);
    ctx.state.set(CACHE_ENTRY, paths);
    await ensureCacheDir(dir);

    if (!(await cacheHit(paths))) {
      const release = await acquireLock(paths.lock, {
        signal: ctx.signal,
        onWait: (owner) =>
          ctx.log('info', `another build (${owner}) is creating bootstrap ${key.slice(0, 12)}; waiting`),
        done: () => cacheHit(paths),
      });
      try {
        if (!(await cacheHit(paths))) {
          ctx.log('info', `bootstrap cache miss (${key.slice(0, 12)}): running ${tool}`);
          await runBootstrapper(ctx, plan, root);
          markFresh(ctx, plan, extra);
          ctx.progress(0, 1, 'steps', 'saving the bootstrap to the cache');
          // The build's apt archive is mounted in the tree: the tarball holds the tree, not downloads.
          await createTarball(ctx, root, paths.partial, await mountsBelow(root), [
            './var/cache/apt/archives/*',
          ]);
          await publishEntry(paths, bootstrapCacheInputs(ctx.manifest, host, extra));
          ctx.log('info', `saved bootstrap to ${paths.tarball}`);
        } else {
          await restore(ctx, paths, root);
        }
      } finally {
        await removePartials(paths);
        await release?.();
      }
    } else {
      await restore(ctx, paths, root);
    }
    // bootstrap-vz's `tarball: true` kept a tarball for later builds; the cache entry is that file.
    if (ctx.manifest.data.bootstrapper.tarball === true)
      ctx.addArtifact({ kind: 'file', path: paths.tarball, format: 'tar' });
  },
  async undo(ctx) {
    const paths = ctx.state.get(CACHE_ENTRY);
    if (paths === undefined || ctx.dryRun) return;
    await removePartials(paths);
    // The lock is ours only if it names this process; another build's lock is left alone.
    const owner = (await readFile(paths.lock, 'utf8').catch(() => '')).trim();
    if (owner === `${hostname()}:${process.pid}`) await rm(paths.lock, { force: true });
  },
};
