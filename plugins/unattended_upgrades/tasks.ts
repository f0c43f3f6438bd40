/** The unattended_upgrades plugin's tasks: the package, and how often apt's periodic jobs run. */
import { BuildError, defineTask, imageRoot, PACKAGES } from '../../src/api/index.js';
import { PERIODIC_CONF, renderPeriodic, type UnattendedUpgradesSettings } from './periodic.js';

export const addUnattendedUpgradesPackage = defineTask({
  id: 'unattended_upgrades/add-package',
  phase: 'preparation',
  description: 'Add unattended-upgrades to the packages to install',
  async run(ctx) {
    ctx.state.get(PACKAGES).add('unattended-upgrades');
  },
});

export const writePeriodicConfig = defineTask({
  id: 'unattended_upgrades/write-periodic',
  phase: 'system-modification',
  description: "Set the intervals of apt's periodic update, download and upgrade jobs",
  async run(ctx) {
    const root = imageRoot(ctx);
    const s = ctx.manifest.pluginSettings<UnattendedUpgradesSettings>('unattended_upgrades');
    if (!s) throw new BuildError('plugins.unattended_upgrades is not set');
    await ctx.fs.mkdir(`${root}/etc/apt/apt.conf.d`);
    await ctx.fs.writeFile(`${root}${PERIODIC_CONF}`, renderPeriodic(s), { mode: 0o644 });
  },
});
