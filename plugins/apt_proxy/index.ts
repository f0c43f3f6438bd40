/**
 * Plugin `apt_proxy`: apt inside the image downloads through an HTTP proxy (typically apt-cacher-ng on
 * the build host) while the image is built; the setting is removed before the volume is unmounted
 * unless `persistent` is true.
 */
import { definePlugin } from '../../src/api/index.js';
import type { AptProxySettings } from './proxy-config.js';
import { schema } from './schema.js';
import { checkAptProxy, deferPackagesToProxy, removeAptProxy, writeAptProxy } from './tasks.js';

const AT = '/plugins/apt_proxy';

export const aptProxyPlugin = definePlugin({
  name: 'apt_proxy',
  kind: 'plugin',
  description: 'Download packages through an HTTP proxy during the build (kept in the image if persistent)',
  schema,
  tasks: [checkAptProxy, deferPackagesToProxy, writeAptProxy, removeAptProxy],
  check(manifest, report) {
    const s = manifest.pluginSettings<AptProxySettings>('apt_proxy');
    if (!s) return;
    // bootstrap-vz ignored a lone username or password silently; say so instead.
    if (s.username !== undefined && s.password === undefined)
      report.warn(`${AT}/username`, 'username is ignored without password', 'set both, or neither');
    if (s.password !== undefined && s.username === undefined)
      report.warn(`${AT}/password`, 'password is ignored without username', 'set both, or neither');
    if (s.persistent === true && s.username !== undefined && s.password !== undefined)
      report.warn(
        `${AT}/persistent`,
        'the proxy password stays in the image, in /etc/apt/apt.conf.d/02proxy (readable by root only)',
      );
  },
  resolveTasks(manifest, tasks) {
    tasks.add(checkAptProxy, deferPackagesToProxy, writeAptProxy);
    if (manifest.pluginSettings<AptProxySettings>('apt_proxy')?.persistent !== true)
      tasks.add(removeAptProxy);
  },
});
