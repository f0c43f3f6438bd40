/** The debconf plugin's task: feed the manifest's selections to the image's debconf-set-selections. */
import { BuildError, defineTask, imageRoot, INSTALL_PACKAGES_AFTER_BOOTSTRAP } from '../../src/api/index.js';
import { parseSelections, passwordValues } from './selections.js';

export const setDebconfSelections = defineTask({
  id: 'debconf/set-selections',
  phase: 'package-installation',
  description: 'Preseed debconf answers from the manifest',
  // Before anything installs or upgrades packages, so their maintainer scripts find the answers.
  before: ['base/apt-upgrade', 'base/install-packages'],
  hostCommands: ['chroot'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const text = ctx.manifest.pluginSettings<string>('debconf');
    if (typeof text !== 'string') throw new BuildError('plugins.debconf must be a string of selections');
    const { selections } = parseSelections(text);
    // debconf is Priority: required, so every bootstrapped system has debconf-set-selections; it
    // reads stdin and needs neither /proc nor the network.
    await ctx.runner.chroot(root, ['debconf-set-selections'], {
      input: text.endsWith('\n') ? text : `${text}\n`,
      secrets: passwordValues(selections),
    });
  },
});

/**
 * mmdebstrap would otherwise install the manifest's packages with the base system, before
 * set-selections could run, and their maintainer scripts would never see the answers.
 */
export const deferPackages = defineTask({
  id: 'debconf/defer-packages',
  phase: 'preparation',
  description: 'Install the manifest packages after the bootstrap, once debconf is preseeded',
  run(ctx) {
    ctx.state.set(INSTALL_PACKAGES_AFTER_BOOTSTRAP, true);
    return Promise.resolve();
  },
});
