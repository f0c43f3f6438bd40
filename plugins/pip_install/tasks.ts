/**
 * The pip_install plugin's tasks: pip is added to the packages to install, then the requirements are
 * installed with the image's pip in system modification (as in bootstrap-vz), after base has installed
 * the packages and before apt's lists and caches are cleaned. pip fetches from PyPI through the
 * chroot's /etc/resolv.conf, which base/keep-build-dns keeps working during the build.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineTask, imageRoot, PACKAGES, ROOT_DIR, type TaskContext } from '../../src/api/index.js';
import { pipInstallArgv, urlCredentials } from './pip-argv.js';

export interface PipInstallSettings {
  readonly packages?: readonly string[];
}

/**
 * pip verifies PyPI against the build host's CA bundle, lent to the image for the duration of the
 * install: a build host behind a TLS-inspecting proxy trusts that proxy's CA, and the image, which
 * only has Debian's CAs, would otherwise refuse every download. The copy is removed afterwards (and on
 * rollback), so the image keeps its own trust store.
 */
export const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
export const LENT_CA_BUNDLE = '/tmp/bootstrap-pip-ca-bundle.crt';

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

/** Builds the task; the host's CA bundle path is a parameter so tests can point it elsewhere. */
export function installPipPackagesTask(hostCaBundle = HOST_CA_BUNDLE) {
  return defineTask({
    id: 'pip_install/install-packages',
    phase: 'system-modification',
    description: 'Install the Python packages with pip',
    hostCommands: ['chroot'],
    async run(ctx) {
      const root = imageRoot(ctx);
      const list = packages(ctx);
      const bundle = await readFile(hostCaBundle).catch(() => undefined);
      if (bundle) await ctx.fs.writeFile(join(root, LENT_CA_BUNDLE), bundle, { mode: 0o644 });
      try {
        await ctx.runner.chroot(
          root,
          pipInstallArgv(list, ctx.manifest.release, bundle ? LENT_CA_BUNDLE : undefined),
          {
            env: { HOME: '/root' },
            secrets: urlCredentials(list),
          },
        );
      } finally {
        if (bundle) await ctx.fs.remove(join(root, LENT_CA_BUNDLE));
      }
    },
    async undo(ctx) {
      const root = ctx.state.get(ROOT_DIR);
      if (root !== undefined) await ctx.fs.remove(join(root, LENT_CA_BUNDLE));
    },
  });
}

export const installPipPackages = installPipPackagesTask();
