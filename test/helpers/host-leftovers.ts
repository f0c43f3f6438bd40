/**
 * What a build can leave on the host below a directory: loop devices backed by a file in it, mounts
 * at or below it, and processes that name it or run inside it. The kill and cleanup integration
 * tests assert all three are empty.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);

export function loopsUnder(dir: string): string[] {
  return execFileSync('losetup', ['-a'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes(dir));
}

export function mountsUnder(dir: string): string[] {
  return execFileSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' })
    .split('\n')
    .filter((t) => inside(t, dir));
}

/** Processes whose command line names `dir` or whose root or working directory is inside it. */
export function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const links = ['root', 'cwd'].map((l) => {
        try {
          return readlinkSync(`/proc/${pid}/${l}`);
        } catch {
          return '';
        }
      });
      if (cmdline.includes(dir) || links.some((l) => inside(l, dir)))
        found.push(`${pid} ${cmdline.slice(0, 120)}`);
    } catch {
      // gone
    }
  }
  return found;
}

export function hostLeftovers(dir: string): { loops: string[]; mounts: string[]; processes: string[] } {
  return { loops: loopsUnder(dir), mounts: mountsUnder(dir), processes: processesUnder(dir) };
}
