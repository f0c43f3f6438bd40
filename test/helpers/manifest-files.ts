/** Files below a folder, in a stable order: the manifests, or the files with a given ending. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir` whose name ends with `ending` (e.g. `.test.ts`), sorted. */
export function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return filesUnder(path, ending);
      return name.endsWith(ending) ? [path] : [];
    });
}

/** The manifest files below a folder (`files/` folders hold assets, not manifests). */
export function manifestsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'files') out.push(...manifestsUnder(path));
    } else if (/\.(ya?ml|json)$/.test(name)) out.push(path);
  }
  return out;
}
