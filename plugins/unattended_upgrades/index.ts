/**
 * Plugin `unattended_upgrades`: install unattended-upgrades and set how often apt refreshes the package
 * lists, downloads upgrades and installs them (which ones is the package's 50unattended-upgrades' choice:
 * the release's stable and security updates).
 */
import { definePlugin } from '../../src/api/index.js';
import type { UnattendedUpgradesSettings } from './periodic.js';
import { schema } from './schema.js';
import { addUnattendedUpgradesPackage, writePeriodicConfig } from './tasks.js';

const AT = '/plugins/unattended_upgrades';

export const unattendedUpgradesPlugin = definePlugin({
  name: 'unattended_upgrades',
  kind: 'plugin',
  description: 'Install unattended-upgrades and set how often apt updates, downloads and upgrades',
  schema,
  tasks: [addUnattendedUpgradesPackage, writePeriodicConfig],
  check(manifest, report) {
    const s = manifest.pluginSettings<UnattendedUpgradesSettings>('unattended_upgrades');
    if (!s) return;
    // unattended-upgrade installs from the package lists as they are, and the build removes them
    // (base/clean-apt): without periodic updates it finds nothing unless something else runs apt-get update.
    if (s.upgrade_interval > 0 && s.update_interval === 0)
      report.warn(
        `${AT}/update_interval`,
        'upgrades are on but package list updates are off: unattended-upgrade will not see new versions',
        'set update_interval to 1 (daily) or to at most upgrade_interval',
      );
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(addUnattendedUpgradesPackage, writePeriodicConfig);
  },
});
