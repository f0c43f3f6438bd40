/**
 * The providers and plugins this build of the tool ships. The list is explicit (not a directory scan)
 * so the set of loadable plugins is fixed at compile time and `bootstrap schema` is reproducible.
 * Importing this module loads every plugin's code (the AWS SDK included): the CLI uses the catalog
 * and builtinRegistry() of lazy-registry.ts instead, and this list is for tests and `cleanup`.
 */
import type { Plugin } from '../api/index.js';
import { bootTestPlugin } from '../boottest/boot-test-plugin.js';
import { byName as compareNames, type PluginRegistry } from '../manifest/registry-types.js';
import { adminUserPlugin } from '../../plugins/admin_user/index.js';
import { ansiblePlugin } from '../../plugins/ansible/index.js';
import { aptProxyPlugin } from '../../plugins/apt_proxy/index.js';
import { cloudInitPlugin } from '../../plugins/cloud_init/index.js';
import { commandsPlugin } from '../../plugins/commands/index.js';
import { dockerDaemonPlugin } from '../../plugins/docker_daemon/index.js';
import { expandRootPlugin } from '../../plugins/expand_root/index.js';
import { fileCopyPlugin } from '../../plugins/file_copy/index.js';
import { minimizeSizePlugin } from '../../plugins/minimize_size/index.js';
import { prebootstrappedPlugin } from '../../plugins/prebootstrapped/index.js';
import { puppetPlugin } from '../../plugins/puppet/index.js';
import { tmpfsWorkspacePlugin } from '../../plugins/tmpfs_workspace/index.js';
import { pipInstallPlugin } from '../../plugins/pip_install/index.js';
import { debconfPlugin } from '../../plugins/debconf/index.js';
import { ec2LaunchPlugin } from '../../plugins/ec2_launch/index.js';
import { ec2PublishPlugin } from '../../plugins/ec2_publish/index.js';
import { ntpPlugin } from '../../plugins/ntp/index.js';
import { rootPasswordPlugin } from '../../plugins/root_password/index.js';
import { unattendedUpgradesPlugin } from '../../plugins/unattended_upgrades/index.js';
import { ec2Provider } from '../../plugins/ec2/index.js';
import { kvmProvider } from '../../plugins/kvm/index.js';

export const BUILTIN_PLUGINS: readonly Plugin[] = [
  kvmProvider,
  ec2Provider,
  adminUserPlugin,
  ansiblePlugin,
  bootTestPlugin,
  aptProxyPlugin,
  cloudInitPlugin,
  commandsPlugin,
  dockerDaemonPlugin,
  expandRootPlugin,
  fileCopyPlugin,
  minimizeSizePlugin,
  prebootstrappedPlugin,
  puppetPlugin,
  tmpfsWorkspacePlugin,
  pipInstallPlugin,
  debconfPlugin,
  ec2LaunchPlugin,
  ec2PublishPlugin,
  ntpPlugin,
  rootPasswordPlugin,
  unattendedUpgradesPlugin,
];

export function createRegistry(plugins: readonly Plugin[], builtins: readonly Plugin[] = []): PluginRegistry {
  const byName = new Map<string, Plugin>();
  for (const plugin of plugins) {
    const known = byName.get(plugin.name);
    if (known === plugin) continue; // listed twice (e.g. a test adding a builtin again): harmless
    if (known) throw new Error(`two plugins are named ${plugin.name}`);
    for (const task of plugin.tasks) {
      if (!task.id.startsWith(`${plugin.name}/`)) {
        throw new Error(
          `plugin ${plugin.name} defines task ${task.id}, whose id must start with "${plugin.name}/"`,
        );
      }
    }
    byName.set(plugin.name, plugin);
  }
  const sorted = [...byName.values()].sort(compareNames);
  return {
    get: (name) => byName.get(name),
    all: () => sorted,
    providers: () => sorted.filter((p) => p.kind === 'provider'),
    builtins: () => builtins,
  };
}
