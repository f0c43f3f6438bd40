/**
 * Preflight: the checks that need more than the manifest (the Debian archive's index, say), run by
 * `validate`, `plan` and `build` after the manifest loaded and before any work. The plan's
 * preparation phase runs first as a dry run, so each plugin's `preflight` sees what the build would
 * install on which volume; what it reports is positioned in the manifest like any other error.
 */
import type { CheckReporter, Manifest } from '../api/index.js';
import { dryRunPreparation } from '../engine/dry-prepare.js';
import { PlanError } from '../graph/resolve-plan.js';
import { builtinRegistry } from '../registry/lazy-registry.js';
import { createRecordingFs } from '../runner/build-fs.js';
import { createRecordingRunner } from '../runner/recording-runner.js';
import { makePlan } from './make-plan.js';
import { activePlugins } from './select-tasks.js';

export async function runPreflight(
  manifest: Manifest,
  report: CheckReporter,
  signal: AbortSignal = new AbortController().signal,
): Promise<void> {
  let plan;
  try {
    plan = makePlan(manifest).plan;
  } catch (e) {
    if (e instanceof PlanError) return; // reported by the command, with the graph's problems
    throw e;
  }
  const registry = builtinRegistry();
  const plugins = activePlugins(manifest, registry.builtins?.() ?? [], registry).filter((p) => p.preflight);
  if (plugins.length === 0) return;
  const host = { runner: createRecordingRunner(), fs: createRecordingFs() };
  const state = await dryRunPreparation(plan, manifest, host, signal);
  if (state === undefined) return;
  for (const plugin of plugins) await plugin.preflight?.({ manifest, state, report, signal });
}
