/**
 * /proc/self/mountinfo for tasks that must know what is mounted below a directory (not to archive,
 * delete or unmount a host's /proc through a bind mount). One parser for the base plugin, the volume
 * code and plugins, which copied it before.
 */
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** mountinfo escapes space, tab, newline and backslash in paths as octal (`\040` for a space). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Every mount point of a mountinfo text (its fifth field), decoded, in the order of the text. */
export function parseMountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && p !== '')
    .map(unescapeMountPath);
}

/** True when `path` is `dir` or inside it (by path, not by prefix: /ws/rootfs is not in /ws/root). */
export function isAtOrBelow(path: string, dir: string): boolean {
  const d = resolve(dir);
  const p = resolve(path);
  return p === d || p.startsWith(d.endsWith(sep) ? d : d + sep);
}

/** Mount points strictly below `dir`, each once, deepest first (the order to unmount them in). */
export function mountPointsBelow(mountinfo: string, dir: string): string[] {
  const root = resolve(dir);
  const below = parseMountPoints(mountinfo).filter((p) => p !== root && isAtOrBelow(p, root));
  return [...new Set(below)].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** The text of a mountinfo file (this process's by default), or '' where it cannot be read. */
export async function readMountinfo(path = '/proc/self/mountinfo'): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}
