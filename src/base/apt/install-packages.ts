/**
 * base/install-packages: installs `packages.install` plus the PACKAGES state (kernel, bootloader...
 * added by other tasks), tasksel's standard task when `packages.install_standard` is set, and local
 * .deb files, which are copied into the image and installed by apt so their dependencies resolve.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { BuildError, imageRoot, type Task, type TaskContext } from '../../api/index.js';
import { APT_RUN_OPTIONS, aptGetArgv } from './apt-get.js';
import { cachedAptRun } from './cached-apt-run.js';
import { usableFreshBootstrap } from './fresh-bootstrap.js';
import { imagePackageSpecs } from './image-packages.js';
import { installBatches } from './package-spec.js';
import { withSpecialMounts } from './special-mounts.js';

async function standardPackages(ctx: TaskContext, root: string): Promise<string[]> {
  await cachedAptRun(ctx, root, aptGetArgv(ctx.manifest, 'install', ['tasksel']));
  const out = await ctx.runner.chroot(root, ['tasksel', '--task-packages', 'standard'], {
    ...APT_RUN_OPTIONS,
    dryRunResult: { stdout: '' },
  });
  return out.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

async function installLocal(ctx: TaskContext, root: string, paths: readonly string[]): Promise<void> {
  const inChroot: string[] = [];
  await ctx.fs.mkdir(join(root, 'tmp'));
  for (const p of paths) {
    const src = resolve(dirname(ctx.manifest.file), p);
    const content = await readFile(src).catch((e: unknown) => {
      throw new BuildError(`cannot read local package ${src} (packages.install): ${(e as Error).message}`);
    });
    const rel = join('tmp', basename(src));
    await ctx.fs.writeFile(join(root, rel), content, { mode: 0o644 });
    inChroot.push(`/${rel}`);
  }
  try {
    await ctx.runner.chroot(root, aptGetArgv(ctx.manifest, 'install', inChroot), APT_RUN_OPTIONS);
  } finally {
    for (const p of inChroot) await ctx.fs.remove(join(root, p));
  }
}

export const installPackages: Task = {
  id: 'base/install-packages',
  phase: 'package-installation',
  description: 'Installing packages',
  after: ['base/apt-upgrade'],
  hostCommands: ['chroot', 'mount', 'umount'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const specs = imagePackageSpecs(ctx.manifest, ctx.state);
    const standard = ctx.manifest.data.packages?.install_standard === true;
    if (specs.length === 0 && !standard) {
      ctx.log('debug', 'no packages to install');
      return;
    }
    const fresh = usableFreshBootstrap(ctx);
    if (
      !standard &&
      fresh &&
      specs.every((p) => p.kind === 'remote' && !p.target && fresh.included.has(p.name))
    ) {
      ctx.log('info', `the bootstrap installed all ${specs.length} packages already`);
      return;
    }
    await withSpecialMounts(ctx, root, async () => {
      if (standard) {
        const names = await standardPackages(ctx, root);
        specs.push(...names.map((name) => ({ kind: 'remote' as const, name })));
      }
      const batches = installBatches(specs);
      for (const [i, batch] of batches.entries()) {
        ctx.progress(i, batches.length, 'batches', batch.target ? `from ${batch.target}` : undefined);
        const target = batch.target ? { target: batch.target } : {};
        await cachedAptRun(ctx, root, aptGetArgv(ctx.manifest, 'install', batch.names, target));
      }
      const local = specs.flatMap((s) => (s.kind === 'local' ? [s.path] : []));
      if (local.length > 0) await installLocal(ctx, root, local);
    });
  },
};
