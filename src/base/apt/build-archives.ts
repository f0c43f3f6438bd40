/**
 * The build's own apt archive: a host directory, `<workspace>/apt-archives`, bind-mounted on the image's
 * /var/cache/apt/archives from before the bootstrap until system cleaning. Everything mmdebstrap,
 * debootstrap and apt download during the build lands there, outside the filesystem being built, so
 * downloads never take space in the image (a 1 GiB root that holds the installed system would not
 * also hold the .deb files it was installed from) and never stay in it.
 *
 * One directory per build, not the persistent cache itself: apt locks its archive directory, so two
 * concurrent builds sharing one would fail on the lock. Files move between this directory and the
 * persistent cache (`<cache_dir>/archives`) as hard links when both are on one filesystem (no data
 * copied), as copies otherwise; see deb-cache.ts.
 *
 * The mount belongs to the volume's mount table, so every rollback path that unmounts the volume
 * unmounts it first (longest path first), and release-root.ts does not mistake it for a stranger's.
 */
import { join } from 'node:path';
import { defineTask, imageRoot, stateKey, type TaskContext } from '../../api/index.js';
import { mountTable } from '../volume/volume-resources.js';
import { debCacheDir, debCacheEnabled } from '../bootstrap/constants.js';
import { harvestDebs } from './deb-cache.js';

/** The image's apt archive directory. */
export function imageArchives(root: string): string {
  return join(root, 'var/cache/apt/archives');
}

/** The host directory of this build's downloads. */
export function buildArchivesDir(ctx: Pick<TaskContext, 'workspace'>): string {
  return join(ctx.workspace, 'apt-archives');
}

/** Set while the build archive is mounted in the image; undefined before and after. */
const MOUNTED_AT = stateKey<string | undefined>('base/apt-archives-mounted-at', () => undefined);

/** Whether downloads go to the build archive now (tasks between mount and unmount). */
export function buildArchivesMounted(ctx: TaskContext): boolean {
  return ctx.state.get(MOUNTED_AT) !== undefined;
}

/** Copies (links) what the build downloaded into the persistent cache, when the cache is on. */
export async function harvestBuildArchives(ctx: TaskContext): Promise<void> {
  if (ctx.dryRun || !debCacheEnabled(ctx.manifest)) return;
  const cache = debCacheDir(ctx.manifest);
  const added = await harvestDebs(buildArchivesDir(ctx), cache);
  if (added > 0) ctx.log('debug', `added ${added} downloaded .deb files to ${cache}`);
}

/**
 * Puts the downloads into the cache, unmounts the build's archive and removes it; idempotent. On
 * rollback (`tolerant`), a harvest that fails is logged: it must not keep the archive mounted.
 */
async function releaseBuildArchives(ctx: TaskContext, tolerant: boolean): Promise<void> {
  const target = ctx.state.get(MOUNTED_AT);
  if (target === undefined) return;
  await harvestBuildArchives(ctx).catch((e: unknown) => {
    if (!tolerant) throw e;
    ctx.log('warn', `could not keep the downloaded packages: ${(e as Error).message}`);
  });
  await mountTable(ctx).unmount(target);
  ctx.state.set(MOUNTED_AT, undefined);
  await ctx.fs.remove(buildArchivesDir(ctx));
}

export const mountAptArchives = defineTask({
  id: 'base/mount-apt-archives',
  phase: 'os-installation',
  description: "Keep downloaded packages outside the image (the build's own apt archive)",
  before: ['base/bootstrap-os'],
  hostCommands: ['mount', 'umount'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const dir = buildArchivesDir(ctx);
    await ctx.fs.mkdir(join(dir, 'partial'));
    // The image keeps an empty archive directory, as a Debian system has; apt makes partial/ itself.
    const target = imageArchives(root);
    await ctx.fs.mkdir(target);
    await mountTable(ctx).mount({ source: dir, target, bind: true });
    ctx.state.set(MOUNTED_AT, target);
  },
  async undo(ctx) {
    // What was downloaded before the failure goes into the cache too: the next attempt need not
    // download it again.
    await releaseBuildArchives(ctx, true);
  },
});

export const unmountAptArchives = defineTask({
  id: 'base/unmount-apt-archives',
  phase: 'system-cleaning',
  description: "Unmount the build's apt archive from the image",
  before: ['base/clean-apt', 'base/audit-image'],
  hostCommands: ['umount'],
  async run(ctx) {
    await releaseBuildArchives(ctx, false);
  },
});
