/**
 * /proc, /sys, /dev and /dev/pts inside the image root, mounted only while a chroot step needs them
 * (bootstrap-vz mounted them for the whole build, and leftover mounts were its most reported
 * failure: #302, #499, #292). /dev is a bind mount made private at once, so the devpts mounted
 * on top of it does not propagate back to the host's /dev/pts.
 */
import { join } from 'node:path';
import type { TaskContext } from '../../api/index.js';
import { mountsBelow } from '../bootstrap/mounts-below.js';
import { ensureBuildDns } from '../system/keep-build-dns.js';

interface SpecialMount {
  readonly target: string;
  readonly argv: (path: string) => string[][];
}

export const SPECIAL_MOUNTS: readonly SpecialMount[] = [
  { target: 'proc', argv: (p) => [['mount', '-t', 'proc', 'proc', p]] },
  { target: 'sys', argv: (p) => [['mount', '-t', 'sysfs', 'sysfs', p]] },
  {
    target: 'dev',
    argv: (p) => [
      ['mount', '--bind', '/dev', p],
      ['mount', '--make-private', p],
    ],
  },
  {
    target: 'dev/pts',
    argv: (p) => [['mount', '-t', 'devpts', '-o', 'newinstance,gid=5,mode=620,ptmxmode=666', 'devpts', p]],
  },
];

/** Unmounts one path; falls back to a lazy unmount when a process left in the chroot keeps it busy. */
async function unmount(ctx: TaskContext, path: string): Promise<void> {
  try {
    await ctx.runner.run(['umount', path]);
  } catch (e) {
    ctx.log('warn', `umount ${path} failed (${(e as Error).message.split('\n')[0]}); detaching lazily`);
    await ctx.runner.run(['umount', '--lazy', path]);
  }
}

/**
 * Mounts the special filesystems in root, runs fn, and unmounts them in reverse order, also when fn
 * throws or a mount fails half-way. Nothing is registered for later: when this returns or throws,
 * nothing it mounted is left mounted.
 */
export async function withSpecialMounts<T>(ctx: TaskContext, root: string, fn: () => Promise<T>): Promise<T> {
  const mounted: string[] = [];
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    // Steps in here download (apt, pip...): name resolution must work in the chroot.
    await ensureBuildDns(ctx, root);
    for (const m of SPECIAL_MOUNTS) {
      const path = join(root, m.target);
      await ctx.fs.mkdir(path);
      for (const [i, argv] of m.argv(path).entries()) {
        await ctx.runner.run(argv);
        if (i === 0) mounted.push(path);
      }
    }
    outcome = { ok: true, value: await fn() };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const unmountError = await unmountAll(ctx, mounted.reverse());
  // The error from fn (or from mounting) explains the build failure better than an unmount error.
  if (!outcome.ok) throw outcome.error;
  if (unmountError !== undefined) throw unmountError;
  return outcome.value;
}

/** Unmounts every path (deepest mounts below each first); returns the first error, if any. */
async function unmountAll(ctx: TaskContext, paths: readonly string[]): Promise<unknown> {
  let firstError: unknown;
  for (const path of paths) {
    // Something fn mounted below ours (e.g. binfmt_misc under /proc/sys) goes first.
    const nested = ctx.dryRun ? [] : await mountsBelow(path);
    for (const p of [...nested, path]) {
      await unmount(ctx, p).catch((e: unknown) => (firstError ??= e));
    }
  }
  return firstError;
}
