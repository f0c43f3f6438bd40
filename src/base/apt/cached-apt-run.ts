/**
 * Runs an installing apt-get command in the chroot with the persistent .deb archive: asks apt which
 * files it would download (`--print-uris`) and puts those the cache has into the build's archive
 * (build-archives.ts), so apt downloads only the rest. What apt downloads stays in the build's
 * archive, outside the image, and goes into the cache when the archive is unmounted.
 */
import type { TaskContext } from '../../api/index.js';
import { debCacheDir, debCacheEnabled } from '../bootstrap/constants.js';
import { APT_RUN_OPTIONS } from './apt-get.js';
import { buildArchivesDir, buildArchivesMounted } from './build-archives.js';
import { parsePrintUris, seedDebs } from './deb-cache.js';

export async function cachedAptRun(ctx: TaskContext, root: string, argv: readonly string[]): Promise<void> {
  if (debCacheEnabled(ctx.manifest) && !ctx.dryRun && buildArchivesMounted(ctx)) {
    // An option, so before the command and its `--` (after it, it would be a package name).
    const [program = 'apt-get', ...rest] = argv;
    const uris = await ctx.runner.chroot(root, [program, '--print-uris', ...rest], APT_RUN_OPTIONS);
    const seeded = await seedDebs(
      debCacheDir(ctx.manifest),
      buildArchivesDir(ctx),
      parsePrintUris(uris.stdout),
    );
    if (seeded > 0) ctx.log('debug', `reusing ${seeded} cached .deb files`);
  }
  await ctx.runner.chroot(root, argv, APT_RUN_OPTIONS);
}
