/** The manifest files below a folder (`files/` folders hold assets, not manifests), in a stable order. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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
