/** Mount points at or below a directory, from /proc/self/mountinfo (no udev or findmnt needed). */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** mountinfo escapes space, tab, newline and backslash as octal (\040...). */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && p !== '')
    .map(unescapeMountPath);
}

export function isAtOrBelow(path: string, dir: string): boolean {
  const d = resolve(dir);
  const p = resolve(path);
  return p === d || p.startsWith(d.endsWith(sep) ? d : d + sep);
}

/** Mount points strictly below `dir`, deepest first (the order to unmount them in). */
export async function mountsBelow(dir: string, mountinfoPath = '/proc/self/mountinfo'): Promise<string[]> {
  const text = await readFile(mountinfoPath, 'utf8').catch(() => '');
  const root = resolve(dir);
  const found = new Set(parseMountPoints(text).filter((p) => p !== root && isAtOrBelow(p, root)));
  return [...found].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}
