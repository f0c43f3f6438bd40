/**
 * Runs mmdebstrap or debootstrap into the image root with progress, the persistent .deb archive, and
 * a bounded number of retries when the mirror fails in a way that looks transient. The image's
 * /var/cache/apt/archives is the build's own archive on the host by now (base/mount-apt-archives), so
 * what either tool downloads takes no space in the image.
 */
import { mkdir } from 'node:fs/promises';
import { BuildError, CommandError, sleep, type TaskContext } from '../../api/index.js';
import {
  buildArchivesDir,
  buildArchivesMounted,
  harvestBuildArchives,
  imageArchives,
} from '../apt/build-archives.js';
import { seedDebs } from '../apt/deb-cache.js';
import { debootstrapArgv, mmdebstrapArgv } from './bootstrap-argv.js';
import type { BootstrapPlan } from './bootstrap-plan.js';
import { clearRoot } from './clear-root.js';
import { debCacheDir, debCacheEnabled } from './constants.js';
import { parseProgressLine } from './progress.js';

export const MAX_ATTEMPTS = 3;

/** apt's and debootstrap's wording for failures a later attempt may not hit. */
const TRANSIENT =
  /Failed to fetch|Could not resolve|Temporary failure|Connection (timed out|refused|failed)|Unable to connect|Network is unreachable|Couldn't download|Failed getting release file|Hash Sum mismatch|File has unexpected size|Undetermined Error|\b50[234]\b/i;

export function looksTransient(stderr: string): boolean {
  return TRANSIENT.test(stderr);
}

export interface RunBootstrapperOptions {
  /** Delay before retry n (1-based); injectable for tests. */
  readonly backoffMs?: (attempt: number) => number;
}

export async function runBootstrapper(
  ctx: TaskContext,
  plan: BootstrapPlan,
  root: string,
  opts: RunBootstrapperOptions = {},
): Promise<void> {
  const debDir = debCacheEnabled(ctx.manifest) && !ctx.dryRun ? debCacheDir(ctx.manifest) : undefined;
  // mmdebstrap finds cached files in the build's archive (hard links, so putting all of them there
  // costs no copy) and keeps what it downloaded there for the cache; debootstrap reads and fills
  // --cache-dir itself (it must exist).
  const seedFrom =
    debDir !== undefined && plan.tool === 'mmdebstrap' && buildArchivesMounted(ctx) ? debDir : undefined;
  const argv =
    plan.tool === 'debootstrap'
      ? debootstrapArgv(plan, root, debDir)
      : mmdebstrapArgv(plan, root, { keepDebs: seedFrom !== undefined });
  if (debDir !== undefined) await mkdir(debDir, { recursive: true, mode: 0o755 });

  for (let attempt = 1; ; attempt++) {
    if (seedFrom !== undefined) {
      const seeded = await seedDebs(seedFrom, buildArchivesDir(ctx));
      if (seeded > 0) ctx.log('debug', `put ${seeded} cached .deb files into the build's apt archive`);
    }
    try {
      await ctx.runner.run(argv, {
        onLine: (line) => {
          const step = parseProgressLine(plan.tool, line);
          if (step) ctx.progress(step.done, step.total, 'steps', step.message);
        },
      });
      break;
    } catch (e) {
      if (e instanceof CommandError && /No space left on device/i.test(e.stderrTail)) {
        throw new BuildError(
          `the root filesystem ran out of space while ${plan.tool} installed the packages`,
          'raise volume.partitions.root.size (or install fewer packages); a build that fits once is checked before any work the next time',
        );
      }
      if (!(e instanceof CommandError) || !looksTransient(e.stderrTail)) throw e;
      if (seedFrom !== undefined) await harvestBuildArchives(ctx);
      if (attempt >= MAX_ATTEMPTS) {
        const lastLine = e.stderrTail.trim().split('\n').at(-1) ?? '';
        throw new BuildError(
          `${plan.tool} could not fetch ${plan.suite} from mirror ${plan.mirror} (${MAX_ATTEMPTS} attempts): ${lastLine}`,
          'check that the mirror is reachable from this host, or set bootstrapper.mirror',
        );
      }
      ctx.log(
        'warn',
        `${plan.tool} failed fetching from ${plan.mirror} (attempt ${attempt}/${MAX_ATTEMPTS}), retrying`,
      );
      await clearRoot(root, undefined, buildArchivesMounted(ctx) ? [imageArchives(root)] : []);
      await sleep(opts.backoffMs?.(attempt) ?? 5000 * attempt, ctx.signal);
    }
  }

  if (seedFrom !== undefined) await harvestBuildArchives(ctx);
}
