/** Mount points below a directory; the mountinfo parsing itself is src/volume/mounts.ts's. */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { parseLeftoverMounts } from '../../volume/mounts.js';

export function isAtOrBelow(path: string, dir: string): boolean {
  const d = resolve(dir);
  const p = resolve(path);
  return p === d || p.startsWith(d.endsWith(sep) ? d : d + sep);
}

/** Mount points strictly below `dir`, deepest first (the order to unmount them in). */
export async function mountsBelow(dir: string, mountinfoPath = '/proc/self/mountinfo'): Promise<string[]> {
  const text = await readFile(mountinfoPath, 'utf8').catch(() => '');
  const root = resolve(dir);
  const found = new Set(parseLeftoverMounts(text, root).filter((p) => p !== root));
  return [...found].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}
