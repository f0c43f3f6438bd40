/**
 * Runs mmdebstrap or debootstrap into the image root with progress, the persistent .deb archive, and
 * a bounded number of retries when the mirror fails in a way that looks transient.
 */
import { mkdir } from 'node:fs/promises';
import { BuildError, CommandError, type TaskContext } from '../../api/index.js';
import { harvestDebs, seedDebs } from '../apt/deb-cache.js';
import { bootstrapArgv } from './bootstrap-argv.js';
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
  const argv = bootstrapArgv(plan, root, debDir === undefined ? undefined : { dir: debDir });
  // debootstrap manages --cache-dir itself (it must exist); mmdebstrap gets the files copied in.
  if (debDir !== undefined) await mkdir(debDir, { recursive: true, mode: 0o755 });
  const mmdebstrapCache = debDir !== undefined && plan.tool === 'mmdebstrap' ? debDir : undefined;

  for (let attempt = 1; ; attempt++) {
    if (mmdebstrapCache !== undefined) {
      const seeded = await seedDebs(mmdebstrapCache, root);
      if (seeded > 0) ctx.log('debug', `copied ${seeded} cached .deb files into the image's apt archive`);
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
      if (mmdebstrapCache !== undefined) await harvestDebs(root, mmdebstrapCache, { remove: false });
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
      await clearRoot(root);
      await sleep(opts.backoffMs?.(attempt) ?? 5000 * attempt, ctx.signal);
    }
  }

  if (mmdebstrapCache !== undefined) {
    const added = await harvestDebs(root, mmdebstrapCache, { remove: true });
    ctx.log('debug', `added ${added} downloaded .deb files to ${mmdebstrapCache}`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
