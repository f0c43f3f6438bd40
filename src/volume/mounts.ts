/**
 * Mounts as a resource. A MountTable mounts entries in the order given (parents before children) and
 * unmounts longest path first; each target goes unmounted -> mounted -> unmounted, and `unmountAll`
 * is the undo: idempotent, retried with backoff while "target is busy", lazily as a last resort.
 *
 * Two tables are used in a build: the volume's filesystems (root at <workspace>/root, then boot, the
 * ESP and extras) for the whole build, and the special filesystems (/dev, /proc, /sys, /dev/pts),
 * mounted only while commands run in the chroot, so a failure elsewhere never leaves them behind.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionInfo } from '../api/build-state.js';
import { isAtOrBelow, parseMountPoints } from '../api/mountinfo.js';
import type { LogLevel } from '../api/events.js';
import type { BuildFs } from '../api/fs.js';
import type { CommandRunner } from '../api/runner.js';
import { BuildError } from '../api/task.js';
import { IllegalTransitionError } from './state-machine.js';
import { isBusyError, retry } from './wait.js';

export interface MountEntry {
  readonly source: string;
  /** Absolute host path of the mount point. */
  readonly target: string;
  readonly fstype?: string;
  readonly options?: readonly string[];
  readonly bind?: boolean;
}

export interface MountTableOptions {
  readonly runner: CommandRunner;
  readonly fs: BuildFs;
  readonly log?: (level: LogLevel, message: string) => void;
  /** Delays between `umount` attempts while busy; after the last, `umount --lazy`. */
  readonly umountDelaysMs?: readonly number[];
}

/** Mount argv for an entry (exported for tests and dry-run plans). */
export function mountArgv(e: MountEntry): string[] {
  return [
    'mount',
    ...(e.bind ? ['--bind'] : []),
    ...(e.fstype !== undefined ? ['--types', e.fstype] : []),
    ...(e.options !== undefined && e.options.length > 0 ? ['--options', e.options.join(',')] : []),
    e.source,
    e.target,
  ];
}

/**
 * The volume's mounts: root at `rootDir`, then every partition with a mountpoint, shortest mountpoint
 * first (ties by path, for a stable order) so /boot is mounted before /boot/efi.
 */
export function partitionMounts(rootDir: string, partitions: readonly PartitionInfo[]): MountEntry[] {
  const mounted = partitions.filter((p) => p.mountpoint !== undefined && p.filesystem !== 'swap');
  const sorted = [...mounted].sort(
    (a, b) =>
      (a.mountpoint ?? '').length - (b.mountpoint ?? '').length ||
      (a.mountpoint ?? '').localeCompare(b.mountpoint ?? ''),
  );
  return sorted.map((p) => {
    if (p.device === undefined) throw new Error(`partition ${p.name} has no device to mount`);
    return {
      source: p.device,
      target: p.mountpoint === '/' ? rootDir : join(rootDir, p.mountpoint ?? ''),
      ...(p.filesystem !== undefined ? { fstype: p.filesystem } : {}),
      ...(p.mountopts !== undefined ? { options: p.mountopts } : {}),
    };
  });
}

/**
 * /dev, /proc, /sys and /dev/pts for the chroot. /dev/pts is a bind of the host's too: /dev is a bind
 * of the host's /dev, so its /dev/ptmx belongs to the host's devpts instance, and a fresh devpts on
 * /dev/pts would not hold the ptys it hands out (apt and dpkg then warn or fail).
 */
export function specialMounts(rootDir: string): MountEntry[] {
  return [
    { source: '/dev', target: join(rootDir, 'dev'), bind: true },
    { source: 'proc', target: join(rootDir, 'proc'), fstype: 'proc' },
    { source: 'sysfs', target: join(rootDir, 'sys'), fstype: 'sysfs' },
    { source: '/dev/pts', target: join(rootDir, 'dev/pts'), bind: true },
  ];
}

export class MountTable {
  /** Mounted targets, in mount order. */
  readonly #mounted: MountEntry[] = [];

  constructor(private readonly opts: MountTableOptions) {}

  get mounted(): readonly string[] {
    return this.#mounted.map((e) => e.target);
  }

  async mount(entry: MountEntry): Promise<void> {
    if (this.#mounted.some((e) => e.target === entry.target)) {
      throw new IllegalTransitionError(`mount ${entry.target}`, 'mount', 'mounted', ['unmounted']);
    }
    await this.opts.fs.mkdir(entry.target);
    await this.opts.runner.run(mountArgv(entry)).catch(async (err: unknown) => {
      // Cancelled (Ctrl-C) after the kernel had mounted it: the rollback must still unmount it, or
      // the loop device and the workspace stay busy (found by the SIGINT phase matrix, issue 16).
      if (!this.opts.runner.dryRun && (await isMountPoint(entry.target))) this.#mounted.push(entry);
      if (entry.fstype !== undefined && /unknown filesystem type/i.test(String(err))) {
        throw new BuildError(
          `cannot mount ${entry.source} on ${entry.target}: the host kernel has no ${entry.fstype} support`,
          `load it (modprobe ${entry.fstype}) or build on a host whose kernel lists it in /proc/filesystems`,
        );
      }
      throw err;
    });
    this.#mounted.push(entry);
  }

  async mountAll(entries: readonly MountEntry[]): Promise<void> {
    for (const e of entries) await this.mount(e);
  }

  /** Unmounts everything this table mounted, longest path first; safe to call again. */
  async unmountAll(): Promise<void> {
    const order = [...this.#mounted].sort((a, b) => b.target.length - a.target.length);
    for (const e of order) await this.unmount(e.target);
  }

  async unmount(target: string): Promise<void> {
    const i = this.#mounted.findIndex((e) => e.target === target);
    if (i < 0) return;
    const { runner, log } = this.opts;
    try {
      await retry(() => runner.run(['umount', target]), {
        delaysMs: this.opts.umountDelaysMs ?? [200, 500, 1000, 2000, 4000],
        shouldRetry: isBusyError,
        onRetry: (_, n) => log?.('warn', `${target} is busy; retrying umount (${n})`),
      });
    } catch (err) {
      if (/not mounted|no mount point specified/i.test(String(err))) {
        log?.('debug', `${target} was not mounted any more`);
      } else if (isBusyError(err)) {
        log?.(
          'warn',
          `${target} stayed busy; detaching it lazily (umount --lazy), it goes away when released`,
        );
        await runner.run(['umount', '--lazy', target]);
      } else {
        throw err;
      }
    }
    this.#mounted.splice(i, 1);
  }
}

/** Mounts `entries`, runs `fn`, and unmounts them again whatever happens (for the chroot specials). */
export async function withMounts<T>(
  table: MountTable,
  entries: readonly MountEntry[],
  fn: () => Promise<T>,
): Promise<T> {
  try {
    await table.mountAll(entries);
    return await fn();
  } finally {
    await table.unmountAll();
  }
}

/** Mount points in a /proc/self/mountinfo text at or under `prefix`, longest first (unmount order). */
export function parseLeftoverMounts(mountinfo: string, prefix: string): string[] {
  return parseMountPoints(mountinfo)
    .filter((p) => isAtOrBelow(p, prefix))
    .sort((a, b) => b.length - a.length);
}

/** Whether `path` is a mount point now (in /proc/self/mountinfo). */
async function isMountPoint(path: string): Promise<boolean> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return parseMountPoints(text).includes(path);
}

/** Mounts left under `prefix` (e.g. a workspace after a crash), read from /proc/self/mountinfo. */
export async function findLeftoverMounts(prefix: string): Promise<string[]> {
  return parseLeftoverMounts(await readFile('/proc/self/mountinfo', 'utf8'), prefix);
}
