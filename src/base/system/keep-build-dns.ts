/**
 * Package installation, right after the packages are installed: keep DNS working in the chroot for the
 * rest of the build. systemd-resolved's postinst (bookworm) turns /etc/resolv.conf into a link to
 * ../run/systemd/resolve/stub-resolv.conf, which does not exist in a chroot (no resolved runs there),
 * so every later download in the chroot (plugins installing pip packages, ansible...) would fail to
 * resolve names. While the link dangles, the host's resolv.conf is copied in; base/reset-resolv-conf
 * puts the link back during system cleaning.
 */
import { readlink } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Task, TaskContext } from '../../api/index.js';
import { imageRoot, inImage } from './image-paths.js';

/**
 * Makes /etc/resolv.conf usable inside the chroot when it is a link that dangles there (systemd-resolved
 * installed by the bootstrapper or by apt). Called before every chroot step that may download
 * (src/base/apt/special-mounts.ts) and by base/keep-build-dns after the package installation.
 */
export async function ensureBuildDns(ctx: TaskContext, root: string): Promise<void> {
  if (ctx.dryRun) return;
  const path = inImage(root, '/etc/resolv.conf');
  const target = await readlink(path).catch(() => undefined);
  if (target === undefined) return; // a regular file (or none): nothing replaced it
  const inside = isAbsolute(target) ? join(root, target) : join(dirname(path), target);
  if (await ctx.fs.exists(inside)) return;
  ctx.log(
    'info',
    `/etc/resolv.conf points to ${target}, which does not exist in the chroot; using the host's for the build`,
  );
  const hostResolvConf = await ctx.fs.readFile('/etc/resolv.conf').catch(() => '');
  await ctx.fs.remove(path);
  await ctx.fs.writeFile(path, hostResolvConf, { mode: 0o644 });
}

export const keepBuildDns: Task = {
  id: 'base/keep-build-dns',
  phase: 'package-installation',
  description: 'Keep name resolution working in the chroot after systemd-resolved is installed',
  after: ['base/install-packages'],
  async run(ctx) {
    await ensureBuildDns(ctx, imageRoot(ctx));
  },
};
