/**
 * Semantic checks of `plugins.puppet` beyond its schema: module names and versions are arguments of
 * `puppet module install`, so one starting with "-" would be read as an option. Whether the files
 * exist is checked by puppet/check-paths when the build starts, so `validate` does not depend on the
 * host's files.
 */
import type { CheckReporter, Manifest } from '../../src/api/index.js';
import type { PuppetSettings } from './puppet-argv.js';

export function checkPuppet(manifest: Manifest, report: CheckReporter): void {
  const settings = manifest.pluginSettings<PuppetSettings>('puppet');
  if (!settings) return;
  (settings.install_modules ?? []).forEach((module, i) => {
    module.forEach((value, j) => {
      if (value.startsWith('-')) {
        report.error(
          `/plugins/puppet/install_modules/${i}/${j}`,
          `"${value}" would be read as an option of puppet module install`,
          j === 0 ? 'give a Forge module name such as puppetlabs-stdlib' : 'give a version such as 9.0.0',
        );
      }
    });
  });
}
