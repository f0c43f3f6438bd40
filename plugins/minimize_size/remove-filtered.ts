/**
 * Removes from the image what the dpkg filters would not have installed: mmdebstrap installs most
 * packages in base/bootstrap-os, before the drop-ins can exist, and dpkg only filters what it unpacks
 * afterwards. Directories go when they are excluded and end up empty, as dpkg leaves them.
 * dpkg's file lists still name the removed files; dpkg ignores missing files when it removes or
 * upgrades a package, as on any system installed with these filters.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskContext } from '../../src/api/index.js';
import { compileRules, filterRoots, type FilterRule } from './dpkg-filters.js';

export interface RemovedTotals {
  files: number;
  bytes: number;
}

/** Walks `dir` (a path inside the image) depth first; returns true when it is left empty. */
async function prune(
  ctx: TaskContext,
  root: string,
  dir: string,
  excluded: (path: string) => boolean,
  totals: RemovedTotals,
): Promise<boolean> {
  const names = await readdir(join(root, dir)).catch(() => [] as string[]);
  let kept = 0;
  for (const name of names.sort()) {
    const path = `${dir === '/' ? '' : dir}/${name}`;
    const info = await lstat(join(root, path));
    if (info.isDirectory()) {
      const empty = await prune(ctx, root, path, excluded, totals);
      if (empty && excluded(path)) await ctx.fs.remove(join(root, path));
      else kept++;
    } else if (excluded(path)) {
      await ctx.fs.remove(join(root, path));
      totals.files++;
      totals.bytes += info.size;
    } else kept++;
  }
  return kept === 0;
}

/** Removes every path under the rules' roots that the rules exclude. */
export async function removeFiltered(
  ctx: TaskContext,
  root: string,
  rules: readonly FilterRule[],
): Promise<RemovedTotals> {
  const { excluded } = compileRules(rules);
  const totals: RemovedTotals = { files: 0, bytes: 0 };
  for (const dir of filterRoots(rules)) await prune(ctx, root, dir, excluded, totals);
  return totals;
}
