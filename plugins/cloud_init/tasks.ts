/** The cloud_init plugin's tasks: packages, the configuration drop-in and module list edits. */
import { defineTask, imageRoot, PACKAGES, type TaskContext } from '../../src/api/index.js';
import { disableModules, enableModules, renderDropIn, type CloudInitSettings } from './cloud-cfg.js';

function settings(ctx: TaskContext): CloudInitSettings {
  return ctx.manifest.pluginSettings<CloudInitSettings>('cloud_init') ?? {};
}

export const addCloudInitPackages = defineTask({
  id: 'cloud_init/add-packages',
  phase: 'preparation',
  description: 'Add cloud-init, sudo and growpart to the packages to install',
  async run(ctx) {
    // cloud-guest-utils provides growpart, which cloud-init's growpart module needs to fill the disk.
    for (const p of ['cloud-init', 'sudo', 'cloud-guest-utils']) ctx.state.get(PACKAGES).add(p);
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
      renderDropIn(settings(ctx), ctx.manifest.data.provider.name),
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
    let text = await ctx.fs.readFile(file);
    if (s.disable_modules) text = disableModules(text, s.disable_modules);
    if (s.enable_modules) text = enableModules(text, s.enable_modules);
    await ctx.fs.writeFile(file, text, { mode: 0o644 });
  },
});
