/**
 * What a SIGKILLed build leaves on this host, and how `bootstrap cleanup` removes it (issue 16,
 * item 7). A build journals its host resources under the plugin `host` (src/engine/cloud-journal-file.ts):
 * - `process`: each child the runner started, id `<pid>:<start time>` (the start time tells a
 *   reused pid apart);
 * - `mounts` and `workspace`: the run's workspace directory, id its path. Every mount of a build is
 *   below its workspace (the image root, the apt archive bind mount, /proc /sys /dev in the chroot, a
 *   tmpfs workspace itself), and every process left inside the image has its root or working
 *   directory there;
 * - `loop`: each loop device, id the device, with its backing file in `detail.backing`.
 * The cleaners run in that order: processes (the journaled children, then anything rooted in the
 * workspace), mounts below the workspace (deepest first), loop devices still backed by the journaled
 * file, the workspace directory. Each touches only what its journal names: a loop device now backed by
 * another file, a pid now owned by another process, are left alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { processStartTime, type CloudCleaner, type CommandRunner } from '../api/index.js';
import { processesInside, stopProcesses } from './stop-processes.js';

/** Whether `pid` is still the process that started at `start`. */
export function isSameProcess(owner: { readonly pid: number; readonly start: string }): boolean {
  return processStartTime(owner.pid) === owner.start;
}

const inside = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo, octal escapes undone). */
export function mountsAtOrBelow(dir: string, mountinfo?: string): string[] {
  const text = mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => inside(p, dir));
  return [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? 1 : -1));
}

/** The backing file of a loop device (`/dev/loop3`), or undefined when it is not attached. */
function loopBackingFile(device: string): string | undefined {
  const name = device.replace(/^\/dev\//, '');
  if (!/^loop\d+$/.test(name)) return undefined;
  try {
    return readFileSync(`/sys/block/${name}/loop/backing_file`, 'utf8')
      .trim()
      .replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

/** Loop devices whose backing file is inside `dir`. */
function loopsBackedInside(dir: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync('/sys/block').filter((n) => /^loop\d+$/.test(n));
  } catch {
    return [];
  }
  return names
    .map((n) => `/dev/${n}`)
    .filter((d) => {
      const backing = loopBackingFile(d);
      return backing !== undefined && inside(backing, dir);
    });
}

/** The host cleaners, in deletion order; `runner` runs umount and losetup (argv arrays). */
export function hostCleaners(runner: CommandRunner): CloudCleaner[] {
  return [
    {
      kind: 'process',
      async remove(id) {
        const [pidText, start] = id.split(':');
        const pid = Number(pidText);
        if (!Number.isInteger(pid) || pid <= 1 || start === undefined) return 'absent';
        if (processStartTime(pid) !== start) return 'absent';
        await stopProcesses([pid], async () => (processStartTime(pid) === start ? [pid] : []));
        return 'deleted';
      },
    },
    {
      kind: 'mounts',
      async remove(workspace) {
        if (!workspace.startsWith('/') || workspace === '/') return 'absent';
        // Processes left in the chroot (dpkg, a maintainer script) keep the mounts busy.
        const pids = await processesInside(workspace);
        if (pids.length > 0) await stopProcesses(pids, () => processesInside(workspace));
        const mounts = mountsAtOrBelow(workspace);
        for (const m of mounts) {
          await runner.run(['umount', '--', m]).catch(() => runner.run(['umount', '--lazy', '--', m]));
        }
        return mounts.length > 0 || pids.length > 0 ? 'deleted' : 'absent';
      },
    },
    {
      kind: 'loop',
      async remove(id, scope) {
        // `id` is `<device> <backing file>`: detach only while the device is still backed by it.
        const [device = '', ...rest] = id.split(' ');
        const backing = rest.join(' ');
        const now = loopBackingFile(device);
        if (now === undefined || now !== backing) {
          if (now !== undefined) scope.log(`${device} is now backed by ${now}, not ${backing}: left alone`);
          return 'absent';
        }
        await runner.run(['losetup', '--detach', device]);
        return 'deleted';
      },
    },
    {
      kind: 'workspace',
      async remove(workspace) {
        if (!workspace.startsWith('/') || workspace === '/') return 'absent';
        // Loop devices backed by a file in the workspace whose attach never reached the journal.
        for (const device of loopsBackedInside(workspace)) await runner.run(['losetup', '--detach', device]);
        if (mountsAtOrBelow(workspace).length > 0)
          throw new Error(`${workspace}: still mounted inside it, not removing it`);
        if (!(await stat(workspace).catch(() => undefined))) return 'absent';
        await rm(workspace, { recursive: true, force: true });
        return 'deleted';
      },
    },
  ];
}
