/**
 * Mount points at or below a directory, read from /proc/self/mountinfo. Removing a directory tree
 * while something is mounted inside it would recurse into the mounted filesystem (a bind-mounted /dev
 * included), so every recursive removal of build directories checks this first.
 */
import { readFile } from 'node:fs/promises';

/** Decodes the octal escapes (\040 for space...) mountinfo uses in paths. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export async function mountsUnder(dir: string, mountinfo?: string): Promise<string[]> {
  const text = mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8'));
  const prefix = dir.endsWith('/') ? dir : dir + '/';
  return text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescapeMountPath)
    .filter((p) => p === dir || p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}
