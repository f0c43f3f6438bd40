/**
 * Plugin `cloud_init`: cloud-init configures the instance at boot (user, SSH keys from metadata,
 * hostname, growing the root). It replaces the provider's own init scripts and the first-boot SSH host
 * key generation, as in bootstrap-vz.
 */
import { definePlugin } from '../../src/api/index.js';
import { schema } from './schema.js';
import { addCloudInitPackages, editCloudInitModules, writeCloudInitConfig } from './tasks.js';

/**
 * Tasks of other plugins that cloud-init does itself: first-boot host keys (its ssh module), and the
 * EC2 init scripts (their packages, default user, key, user-data, growing the root). Removals win over
 * additions. This is the one place that leaves them out for cloud-init: base and the ec2 provider
 * plan them whatever the plugins.
 */
export const REPLACED_TASKS = [
  'base/add-ssh-key-regeneration',
  'ec2/guest-add-init-packages',
  'ec2/guest-add-default-user',
  'ec2/guest-add-init-scripts',
  'ec2/guest-add-expand-root',
];

export const cloudInitPlugin = definePlugin({
  name: 'cloud_init',
  kind: 'plugin',
  description: 'Configure instances at boot with cloud-init (default user, datasources, modules)',
  schema,
  tasks: [addCloudInitPackages, writeCloudInitConfig, editCloudInitModules],
  resolveTasks(manifest, tasks) {
    const s = manifest.pluginSettings('cloud_init') ?? {};
    tasks.add(addCloudInitPackages, writeCloudInitConfig);
    if (s.disable_modules || s.enable_modules) tasks.add(editCloudInitModules);
    tasks.remove(...REPLACED_TASKS);
  },
});
