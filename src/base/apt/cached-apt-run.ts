/**
 * Runs an installing apt-get command in the chroot with the persistent .deb archive: asks apt which
 * files it would download (`--print-uris`), copies those the cache has into the image, runs the
 * command, then moves what apt downloaded into the cache and out of the image.
 */
import type { TaskContext } from '../../api/index.js';
import { debCacheDir, debCacheEnabled } from '../bootstrap/constants.js';
import { APT_RUN_OPTIONS } from './apt-get.js';
import { harvestDebs, parsePrintUris, seedDebs } from './deb-cache.js';

export async function cachedAptRun(ctx: TaskContext, root: string, argv: readonly string[]): Promise<void> {
  const useCache = debCacheEnabled(ctx.manifest) && !ctx.dryRun;
  const cache = debCacheDir(ctx.manifest);
  if (useCache) {
    const uris = await ctx.runner.chroot(root, [...argv, '--print-uris'], APT_RUN_OPTIONS);
    const seeded = await seedDebs(cache, root, parsePrintUris(uris.stdout));
    if (seeded > 0) ctx.log('debug', `reusing ${seeded} cached .deb files`);
  }
  await ctx.runner.chroot(root, argv, APT_RUN_OPTIONS);
  if (useCache) {
    const added = await harvestDebs(root, cache, { remove: true });
    if (added > 0) ctx.log('debug', `added ${added} downloaded .deb files to ${cache}`);
  }
}
