/**
 * Plugin `ntp`: keep the clock in sync. bootstrap-vz installed the `ntp` daemon and rewrote the servers
 * in /etc/ntp.conf; this plugin uses systemd-timesyncd, configured with a drop-in (why: README.md).
 */
import { definePlugin, releaseBefore } from '../../src/api/index.js';
import { schema } from './schema.js';
import { addTimesyncd, writeNtpServers } from './tasks.js';
import { OLDEST_RELEASE, OTHER_TIME_DAEMONS } from './timesyncd.js';

export const ntpPlugin = definePlugin({
  name: 'ntp',
  kind: 'plugin',
  description: 'Keep the clock in sync with systemd-timesyncd, optionally with explicit NTP servers',
  schema,
  tasks: [addTimesyncd, writeNtpServers],
  check(manifest, report) {
    const { release } = manifest;
    if (releaseBefore(release, OLDEST_RELEASE)) {
      report.error(
        '/plugins/ntp',
        `the ntp plugin configures systemd-timesyncd, which needs Debian ${OLDEST_RELEASE} (buster) or later, not ${release.codename}`,
        'for older releases, install ntp through packages.install instead',
      );
    }
    (manifest.data.packages?.install ?? []).forEach((entry, i) => {
      const name = entry.split(/[=/]/)[0] ?? entry;
      if (OTHER_TIME_DAEMONS.includes(name)) {
        report.error(
          `/packages/install/${i}`,
          `${name} is another time daemon: it conflicts with systemd-timesyncd, which the ntp plugin installs`,
          `remove ${name} from packages.install, or the ntp plugin from plugins`,
        );
      }
    });
  },
  resolveTasks(manifest, tasks) {
    tasks.add(addTimesyncd);
    if ((manifest.pluginSettings<{ servers?: readonly string[] }>('ntp')?.servers ?? []).length > 0)
      tasks.add(writeNtpServers);
  },
});
