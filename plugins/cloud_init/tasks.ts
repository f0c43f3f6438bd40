/** The cloud_init plugin's tasks: packages, the configuration drop-in and module list edits. */
import {
  DEBIAN,
  defineTask,
  imageRoot,
  PACKAGES,
  releaseAtLeast,
  type TaskContext,
} from '../../src/api/index.js';
import { disableModules, enableModules, renderDropIn, type CloudInitSettings } from './cloud-cfg.js';

function settings(ctx: TaskContext): CloudInitSettings {
  return ctx.manifest.pluginSettings<CloudInitSettings>('cloud_init') ?? {};
}

export const addCloudInitPackages = defineTask({
  id: 'cloud_init/add-packages',
  phase: 'preparation',
  description: 'Add cloud-init, sudo, growpart, iproute2 and a DHCP client to the packages to install',
  async run(ctx) {
    // cloud-guest-utils provides growpart, which cloud-init's growpart module needs to fill the disk.
    // iproute2: cloud-init's network code and networkd renderer run `ip`. A DHCP client for the
    // datasource's ephemeral network before systemd-networkd is up: dhcpcd from trixie on (cloud-init
    // 24 and later prefer it, Debian's trixie images ship dhcpcd-base), dhclient before (cloud-init 22
    // knows only dhclient). minbase has neither; the debootstrap variant has the release's own.
    const dhcp = releaseAtLeast(ctx.manifest.release, DEBIAN.trixie) ? 'dhcpcd-base' : 'isc-dhcp-client';
    for (const p of ['cloud-init', 'sudo', 'cloud-guest-utils', 'iproute2', dhcp])
      ctx.state.get(PACKAGES).add(p);
  },
});

export const writeCloudInitConfig = defineTask({
  id: 'cloud_init/write-config',
  phase: 'system-modification',
  description: 'Configure cloud-init: datasources and the default user',
  async run(ctx) {
    const dir = `${imageRoot(ctx)}/etc/cloud/cloud.cfg.d`;
    await ctx.fs.mkdir(dir);
    await ctx.fs.writeFile(
      `${dir}/90_bootstrap.cfg`,
      // Every backing boots, so the build configured systemd-networkd for cloud-init to render for.
      renderDropIn(settings(ctx), ctx.manifest.data.provider.name, true),
      {
        mode: 0o644,
      },
    );
  },
});

export const editCloudInitModules = defineTask({
  id: 'cloud_init/edit-modules',
  phase: 'system-modification',
  description: 'Disable and enable cloud-init modules in cloud.cfg',
  after: ['cloud_init/write-config'],
  async run(ctx) {
    const file = `${imageRoot(ctx)}/etc/cloud/cloud.cfg`;
    const s = settings(ctx);
    // A dry run has no image to read cloud.cfg from: the edit is skipped with a note (the module
    // names and list sections were checked by the schema at validate).
    if (ctx.dryRun) {
      ctx.log(
        'info',
        `dry run: ${file} comes from the cloud-init package; its module lists are edited at build`,
      );
      return;
    }
    let text = await ctx.fs.readFile(file);
    if (s.disable_modules) text = disableModules(text, s.disable_modules);
    if (s.enable_modules) text = enableModules(text, s.enable_modules);
    await ctx.fs.writeFile(file, text, { mode: 0o644 });
  },
});
