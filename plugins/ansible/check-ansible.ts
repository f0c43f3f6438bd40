/**
 * Semantic checks of `plugins.ansible` beyond its schema: the plugin decides where the playbook runs
 * (the image, through the chroot connection), so opt_flags that would change the inventory, the
 * connection or the host limit contradict it; and inventory groups cannot reuse ansible's implicit
 * group names. Whether the playbook exists is checked by ansible/check-playbook when the build
 * starts, so `validate` does not depend on the host's files.
 */
import type { CheckReporter, Manifest } from '../../src/api/index.js';
import { refusedOptFlags, type AnsibleSettings } from './playbook-argv.js';

const IMPLICIT_GROUPS = new Set(['all', 'ungrouped']);

export function checkAnsible(manifest: Manifest, report: CheckReporter): void {
  const settings = manifest.pluginSettings<AnsibleSettings>('ansible');
  if (!settings) return;
  for (const { index, flag } of refusedOptFlags(settings.opt_flags ?? [])) {
    report.error(
      `/plugins/ansible/opt_flags/${index}`,
      `"${flag}" contradicts the plugin, which runs the playbook against the image with the chroot connection`,
      'target the image with `hosts`; put connection settings for other hosts in the playbook',
    );
  }
  (settings.hosts ?? []).forEach((group, i) => {
    if (IMPLICIT_GROUPS.has(group)) {
      report.error(
        `/plugins/ansible/hosts/${i}`,
        `"${group}" is one of ansible's implicit groups, which the image is always in`,
        'leave out `hosts` to put the image in no group but `all`',
      );
    }
  });
}
