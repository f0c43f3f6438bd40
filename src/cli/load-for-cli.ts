/**
 * Loads a manifest for a CLI command and turns every problem into a printed, positioned message and
 * exit code 2, before any work starts.
 */
import type { Manifest } from '../api/index.js';
import { formatIssue, loadManifest } from '../manifest/load-manifest.js';
import { builtinRegistry } from '../registry/lazy-registry.js';
import { CliExit, EXIT_USAGE } from './exit-codes.js';
import { resolveManifestPath } from './manifest-path.js';
import type { Output } from './output.js';

export interface LoadOptions {
  readonly set?: readonly string[];
  readonly now?: Date;
  /** Run the preflight checks that read the Debian archive (src/core/preflight.ts). */
  readonly preflight?: boolean;
  /** Missing host files the manifest names: errors for a real build, warnings otherwise. */
  readonly hostFiles?: 'error' | 'warn';
}

export async function loadForCli(file: string, out: Output, opts: LoadOptions = {}): Promise<Manifest> {
  const result = await loadManifest(resolveManifestPath(file), {
    registry: builtinRegistry(),
    ...(opts.set ? { set: opts.set } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.hostFiles ? { hostFiles: opts.hostFiles } : {}),
    // Loaded only for a preflight (not with --offline): it brings the engine and the archive index.
    ...(opts.preflight
      ? {
          preflight: async (m: Manifest, report) =>
            (await import('../core/preflight.js')).runPreflight(m, report),
        }
      : {}),
  });
  for (const w of result.warnings) out.err(formatIssue(w, { color: out.color }).replace(/^/, 'warning: '));
  if (result.errors.length > 0 || !result.manifest) {
    for (const e of result.errors) out.err(formatIssue(e, { color: out.color }));
    const n = result.errors.length;
    throw new CliExit(
      EXIT_USAGE,
      `${file}: ${n} error${n === 1 ? '' : 's'}; nothing was built`,
      'ERR_MANIFEST',
    );
  }
  return result.manifest;
}

/**
 * Whether the checks that read the Debian archive are skipped: `--offline`, or BOOTSTRAP_OFFLINE=1
 * (the unit tests set it, so they never depend on the network).
 */
export function offline(opts: { readonly offline?: boolean }): boolean {
  return opts.offline === true || process.env['BOOTSTRAP_OFFLINE'] === '1';
}
