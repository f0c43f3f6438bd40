/**
 * The EC2 guest tasks: what goes inside the image so it works as an instance (the AWS side is in
 * ../tasks.ts). Files come from guest-files.ts; which tasks a manifest gets, from select-guest.ts.
 */
import {
  BuildError,
  defineTask,
  ENABLED_UNITS,
  imageRoot,
  PACKAGES,
  type TaskContext,
} from '../../../src/api/index.js';
import {
  DEFAULT_USER,
  GROW_ROOT_UNIT,
  growRootFiles,
  INIT_SCRIPT_UNITS,
  initScriptFiles,
  NIC_MODULES,
  timeSyncFile,
  withInitramfsModules,
  type GuestFile,
} from './guest-files.js';
import { guestPackages, INIT_SCRIPT_PACKAGES } from './select-guest.js';
import { DEFAULT_GROUPS } from '../../cloud_init/public.js';

async function writeFiles(ctx: TaskContext, files: readonly GuestFile[]): Promise<void> {
  const root = imageRoot(ctx);
  for (const f of files) {
    await ctx.fs.mkdir(`${root}${f.path.slice(0, f.path.lastIndexOf('/'))}`, { mode: 0o755 });
    await ctx.fs.writeFile(`${root}${f.path}`, f.content, { mode: f.mode });
  }
}

export const addGuestPackages = defineTask({
  id: 'ec2/guest-add-packages',
  phase: 'preparation',
  description: 'Add the EC2 guest packages (NVMe udev rules, time sync)',
  async run(ctx) {
    for (const p of guestPackages(ctx.manifest)) ctx.state.get(PACKAGES).add(p);
  },
});

/** Planned with the init scripts, so whoever removes them (cloud_init) removes their packages too. */
export const addInitScriptPackages = defineTask({
  id: 'ec2/guest-add-init-packages',
  phase: 'preparation',
  description: 'Add the packages the EC2 init scripts use (curl, sudo, growpart)',
  async run(ctx) {
    for (const p of INIT_SCRIPT_PACKAGES) ctx.state.get(PACKAGES).add(p);
  },
});

export const addNicDrivers = defineTask({
  id: 'ec2/guest-add-nic-drivers',
  phase: 'system-modification',
  description: 'Put the ENA and ixgbevf drivers of the kernel into the initramfs',
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    // Every installed kernel must have both drivers: they come from Debian's kernel, never from a
    // vendor download at build time (bootstrap-vz's amzn-driver-version DKMS build is not done).
    // A dry run installs no kernel: it stands in with a placeholder so the rest of the plan shows.
    const listing = await ctx.runner.chroot(root, ['ls', '/lib/modules'], {
      dryRunResult: { stdout: '(kernel)\n' },
    });
    const kernels = listing.stdout.split(/\s+/).filter(Boolean);
    if (kernels.length === 0) throw new BuildError('no kernel installed: EC2 images need one with ena');
    for (const kernel of kernels) {
      for (const module of NIC_MODULES) {
        const r = await ctx.runner.chroot(root, ['modinfo', '-k', kernel, '-n', module], {
          okExitCodes: [0, 1],
        });
        if (r.exitCode !== 0)
          throw new BuildError(
            `kernel ${kernel} has no ${module} module, which EC2 enhanced networking needs`,
            'install linux-image-cloud-amd64 (or linux-image-cloud-arm64), e.g. unset provider.kernel',
          );
      }
    }
    const file = `${root}/etc/initramfs-tools/modules`;
    const existing = (await ctx.fs.exists(file)) ? await ctx.fs.readFile(file) : '';
    const updated = withInitramfsModules(existing, NIC_MODULES);
    if (updated === existing) return;
    await ctx.fs.writeFile(file, updated, { mode: 0o644 });
    await ctx.runner.chroot(root, ['update-initramfs', '-u', '-k', 'all']);
  },
});

export const configureTimeSync = defineTask({
  id: 'ec2/guest-configure-time-sync',
  phase: 'system-modification',
  description: 'Point systemd-timesyncd at the Amazon Time Sync Service (169.254.169.123)',
  before: ['base/enable-units'],
  async run(ctx) {
    await writeFiles(ctx, [timeSyncFile()]);
    ctx.state.get(ENABLED_UNITS).add('systemd-timesyncd.service');
  },
});

export const addDefaultUser = defineTask({
  id: 'ec2/guest-add-default-user',
  phase: 'system-modification',
  description: `Create the default user ${DEFAULT_USER} (passwordless sudo, locked password)`,
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const exists = await ctx.runner.chroot(root, ['getent', 'passwd', DEFAULT_USER], { okExitCodes: [0, 2] });
    if (exists.exitCode !== 0) {
      // Groups that the image lacks (a minimal package set) are skipped rather than failing useradd.
      const have = (await ctx.fs.readFile(`${root}/etc/group`)).split('\n').map((l) => l.split(':')[0]);
      const groups = [...DEFAULT_GROUPS, 'sudo'].filter((g) => have.includes(g));
      await ctx.runner.chroot(root, [
        'useradd',
        '--create-home',
        '--shell',
        '/bin/bash',
        '--comment',
        'Debian',
        '--groups',
        groups.join(','),
        DEFAULT_USER,
      ]);
    }
    // The password stays locked ("!"): key logins only, sudo without a password (the sudoers file).
    await ctx.runner.chroot(root, ['passwd', '--lock', DEFAULT_USER]);
  },
});

export const addInitScripts = defineTask({
  id: 'ec2/guest-add-init-scripts',
  phase: 'system-modification',
  description: 'Install the EC2 init scripts: SSH key and user-data from the metadata service',
  after: ['ec2/guest-add-default-user'],
  before: ['base/enable-units'],
  async run(ctx) {
    await writeFiles(ctx, initScriptFiles());
    for (const u of INIT_SCRIPT_UNITS) ctx.state.get(ENABLED_UNITS).add(u.name);
  },
});

export const addExpandRoot = defineTask({
  id: 'ec2/guest-add-expand-root',
  phase: 'system-modification',
  description: 'Install a boot unit that grows the root partition and filesystem to the disk',
  before: ['base/enable-units'],
  async run(ctx) {
    await writeFiles(ctx, growRootFiles());
    ctx.state.get(ENABLED_UNITS).add(GROW_ROOT_UNIT.name);
  },
});
