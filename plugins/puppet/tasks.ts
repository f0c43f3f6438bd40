/**
 * The puppet plugin's tasks. Paths are checked before any work starts; Debian's Puppet is added to
 * the packages base installs (and puppet.service to the units it enables when enable_agent is set);
 * then, in user modification (after the base system is configured, so Puppet's changes win),
 * modules are installed, the assets copied over them, and the manifest applied, in that order as in
 * bootstrap-vz. Every command that touches the image runs inside its chroot, so the image's own
 * symlinks are followed as the image would follow them, never onto the build host.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import {
  BuildError,
  defineTask,
  ENABLED_UNITS,
  imageRoot,
  PACKAGES,
  ROOT_DIR,
  type TaskContext,
} from '../../src/api/index.js';
import {
  APPLY_OK_EXIT_CODES,
  applyArgv,
  assetCopies,
  certnameFrom,
  CONFDIR_FILES,
  copyArgv,
  hostPathOf,
  moduleInstallArgv,
  puppetPackage,
  STAGING_DIR,
  type PuppetSettings,
} from './puppet-argv.js';

function settings(ctx: TaskContext): PuppetSettings {
  return ctx.manifest.pluginSettings<PuppetSettings>('puppet') ?? {};
}

/** A clean command environment in the chroot, with a HOME for Puppet's per-user files. */
const CHROOT_ENV = { HOME: '/root' };

export const checkPaths = defineTask({
  id: 'puppet/check-paths',
  phase: 'preparation',
  description: 'Check that the Puppet manifest and assets exist',
  async run(ctx) {
    const s = settings(ctx);
    const problems: string[] = [];
    if (s.manifest !== undefined) {
      const path = hostPathOf(ctx.manifest.file, s.manifest);
      if (!(await stat(path).catch(() => undefined))?.isFile())
        problems.push(`plugins.puppet.manifest: ${path} is not a file`);
    }
    if (s.assets !== undefined) {
      const path = hostPathOf(ctx.manifest.file, s.assets);
      if (!(await stat(path).catch(() => undefined))?.isDirectory()) {
        problems.push(`plugins.puppet.assets: ${path} is not a directory`);
      } else {
        const misplaced = (await readdir(path)).filter((n) => CONFDIR_FILES.includes(n));
        if (misplaced.length > 0)
          problems.push(
            `plugins.puppet.assets: ${misplaced.join(', ')} at the top of ${path}: the assets directory is laid ` +
              'out like /etc/puppetlabs, so they belong in its puppet/ directory',
          );
      }
    }
    if (problems.length === 0) return;
    if (ctx.dryRun) {
      // As validate does for files on this host: a warning where the manifest may be tried on another
      // machine than the build host (bootstrap-vz's examples name placeholder paths); a build refuses.
      for (const p of problems) ctx.log('warn', `${p} (a build stops here)`);
      return;
    }
    throw new BuildError(
      problems.join('\n'),
      'relative paths are relative to the directory of the manifest file',
    );
  },
});

export const addPuppetPackage = defineTask({
  id: 'puppet/add-packages',
  phase: 'preparation',
  description: "Add Debian's Puppet to the packages to install",
  async run(ctx) {
    ctx.state.get(PACKAGES).add(puppetPackage(ctx.manifest.release));
    // Debian installs puppet.service disabled; base/enable-units enables it when asked.
    if (settings(ctx).enable_agent === true) ctx.state.get(ENABLED_UNITS).add('puppet.service');
  },
});

export const installModules = defineTask({
  id: 'puppet/install-modules',
  phase: 'user-modification',
  description: 'Install Puppet modules from the Forge',
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    for (const module of settings(ctx).install_modules ?? []) {
      await ctx.runner.chroot(root, moduleInstallArgv(module), { env: CHROOT_ENV });
    }
  },
});

/** The image's /tmp as a host path, refused when it is not a plain directory (a symlink would lead out). */
async function stagingDir(ctx: TaskContext, root: string): Promise<string> {
  const tmp = join(root, 'tmp');
  if (!ctx.dryRun && !(await stat(tmp).catch(() => undefined))?.isDirectory())
    throw new BuildError(`${tmp} is not a directory in the image`);
  const dir = join(root, STAGING_DIR);
  await ctx.fs.remove(dir);
  await ctx.fs.mkdir(dir, { mode: 0o700 });
  return dir;
}

async function removeStaging(ctx: TaskContext): Promise<void> {
  const root = ctx.state.get(ROOT_DIR);
  if (root !== undefined) await ctx.fs.remove(join(root, STAGING_DIR));
}

export const copyAssets = defineTask({
  id: 'puppet/copy-assets',
  phase: 'user-modification',
  description: "Copy the Puppet assets over the image's Puppet configuration",
  after: ['puppet/install-modules'],
  hostCommands: ['cp', 'chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const assets = hostPathOf(ctx.manifest.file, settings(ctx).assets ?? '');
    const staged = join(await stagingDir(ctx, root), 'assets');
    try {
      // Host side: only into the fresh staging directory. Image side: the chroot's cp.
      await ctx.runner.run([
        'cp',
        '-R',
        '--preserve=mode,timestamps',
        '--no-target-directory',
        assets,
        staged,
      ]);
      // A dry run of a manifest naming a directory this host lacks (check-paths warned): no entries.
      const entries = ctx.dryRun ? await readdir(assets).catch(() => []) : await readdir(assets);
      for (const copy of assetCopies(entries, posix.join(STAGING_DIR, 'assets'))) {
        await ctx.runner.chroot(root, ['mkdir', '-p', posix.dirname(copy.to)], { env: CHROOT_ENV });
        await ctx.runner.chroot(root, copyArgv(copy), { env: CHROOT_ENV });
      }
    } finally {
      await removeStaging(ctx);
    }
  },
  undo: removeStaging,
});

export const applyManifest = defineTask({
  id: 'puppet/apply-manifest',
  phase: 'user-modification',
  description: 'Apply the Puppet manifest inside the image',
  after: ['puppet/install-modules', 'puppet/copy-assets'],
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const source = hostPathOf(ctx.manifest.file, settings(ctx).manifest ?? '');
    const dir = await stagingDir(ctx, root);
    const inImage = posix.join(STAGING_DIR, basename(source));
    // base/set-hostname wrote it in system modification; a missing file leaves Puppet's default.
    const hostname = await readFile(join(root, 'etc/hostname'), 'utf8').catch(() => '');
    try {
      // A dry run of a manifest naming a file this host lacks (check-paths warned): an empty one.
      const content = ctx.dryRun
        ? await readFile(source).catch(() => Buffer.alloc(0))
        : await readFile(source);
      await ctx.fs.writeFile(join(dir, basename(source)), content, { mode: 0o600 });
      await ctx.runner.chroot(root, applyArgv(inImage, certnameFrom(hostname)), {
        env: CHROOT_ENV,
        okExitCodes: APPLY_OK_EXIT_CODES,
      });
    } finally {
      await removeStaging(ctx);
    }
  },
  undo: removeStaging,
});
