/**
 * The pip_install plugin's tasks: pip is added to the packages to install, then the requirements are
 * installed with the image's pip in system modification (as in bootstrap-vz), after base has installed
 * the packages and before apt's lists and caches are cleaned. pip fetches from PyPI through the
 * chroot's /etc/resolv.conf, which base/keep-build-dns keeps working during the build.
 */
import { defineTask, PACKAGES, ROOT_DIR, type TaskContext } from '../../src/api/index.js';
import { pipInstallArgv, urlCredentials } from './pip-argv.js';

export interface PipInstallSettings {
  readonly packages?: readonly string[];
}

function packages(ctx: TaskContext): readonly string[] {
  return ctx.manifest.pluginSettings<PipInstallSettings>('pip_install')?.packages ?? [];
}

export const addPipPackage = defineTask({
  id: 'pip_install/add-packages',
  phase: 'preparation',
  description: 'Add python3-pip to the packages to install',
  async run(ctx) {
    // bootstrap-vz added build-essential and python-dev too; they are not added here (see README).
    ctx.state.get(PACKAGES).add('python3-pip');
  },
});

export const installPipPackages = defineTask({
  id: 'pip_install/install-packages',
  phase: 'system-modification',
  description: 'Install the Python packages with pip',
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = ctx.state.get(ROOT_DIR);
    if (root === undefined)
      throw new Error(`${ctx.taskId}: the image root is not mounted yet (ROOT_DIR unset)`);
    const list = packages(ctx);
    await ctx.runner.chroot(root, pipInstallArgv(list, ctx.manifest.release), {
      env: { HOME: '/root' },
      secrets: urlCredentials(list),
    });
  },
});
