/**
 * How big the bootstrapped tree of this manifest is, when a previous build put it in the cache: the
 * tarball's size is the tree's size (it is not compressed). base/create-image-file compares it with
 * the root partition before creating anything, so a root too small for the packages is an error
 * before any work, not a full disk half-way through the bootstrap.
 */
import { stat } from 'node:fs/promises';
import type { TaskContext } from '../../api/index.js';
import { bootstrapIncludes, bootstrapTool } from './bootstrap-os.js';
import { bootstrapCacheKey } from './cache-key.js';
import { cacheEntryPaths } from './cache-store.js';
import { bootstrapCacheDir, bootstrapCacheEnabled } from './constants.js';
import { gatherHostInfo } from './host-info.js';

export async function cachedTreeBytes(ctx: TaskContext): Promise<number | undefined> {
  if (ctx.dryRun || !bootstrapCacheEnabled(ctx.manifest)) return undefined;
  const tool = bootstrapTool(ctx);
  const host = await gatherHostInfo(ctx, tool);
  const key = bootstrapCacheKey(ctx.manifest, host, bootstrapIncludes(ctx, tool));
  const info = await stat(cacheEntryPaths(bootstrapCacheDir(ctx.manifest), key).tarball).catch(
    () => undefined,
  );
  return info?.isFile() ? info.size : undefined;
}
