/** Mount points strictly below a directory, from /proc/self/mountinfo. */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** mountinfo escapes space, tab, newline and backslash as octal (\040...). */
function unescape(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function mountsBelow(dir: string, mountinfo: string): string[] {
  const root = resolve(dir);
  const prefix = root.endsWith(sep) ? root : root + sep;
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && p !== '')
    .map(unescape)
    .filter((p) => p.startsWith(prefix));
  return [...new Set(points)].sort();
}

export async function readMountinfo(): Promise<string> {
  return readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
}
