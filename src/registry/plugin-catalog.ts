/**
 * What the CLI knows of each shipped provider and plugin before it loads the plugin's code: name, kind,
 * description and schemas (each plugin's schema.ts, which imports nothing but the API's types), and how
 * to load the rest. A manifest is validated against every schema, but only the code of the plugins it
 * uses is loaded: the ec2 family alone brings the AWS SDK, about a second to load on these machines
 * (issue 17, item 6). BUILTIN_PLUGINS (builtin-registry.ts) lists the same plugins loaded;
 * test/unit/registry/plugin-catalog.test.ts checks that the two agree.
 */
import type { Backing, JsonSchema, Plugin } from '../api/index.js';
import * as adminUser from '../../plugins/admin_user/schema.js';
import * as ansible from '../../plugins/ansible/schema.js';
import * as aptProxy from '../../plugins/apt_proxy/schema.js';
import * as cloudInit from '../../plugins/cloud_init/schema.js';
import * as commands from '../../plugins/commands/schema.js';
import * as debconf from '../../plugins/debconf/schema.js';
import * as dockerDaemon from '../../plugins/docker_daemon/schema.js';
import * as ec2 from '../../plugins/ec2/schema.js';
import * as ec2Launch from '../../plugins/ec2_launch/schema.js';
import * as ec2Publish from '../../plugins/ec2_publish/schema.js';
import * as expandRoot from '../../plugins/expand_root/schema.js';
import * as fileCopy from '../../plugins/file_copy/schema.js';
import * as kvm from '../../plugins/kvm/schema.js';
import * as minimizeSize from '../../plugins/minimize_size/schema.js';
import * as ntp from '../../plugins/ntp/schema.js';
import * as pipInstall from '../../plugins/pip_install/schema.js';
import * as prebootstrapped from '../../plugins/prebootstrapped/schema.js';
import * as puppet from '../../plugins/puppet/schema.js';
import * as rootPassword from '../../plugins/root_password/schema.js';
import * as tmpfsWorkspace from '../../plugins/tmpfs_workspace/schema.js';
import * as unattendedUpgrades from '../../plugins/unattended_upgrades/schema.js';
import * as bootTest from '../boottest/boot-test-schema.js';

export interface CatalogEntry {
  readonly name: string;
  readonly kind: 'provider' | 'plugin';
  readonly description: string;
  readonly schema: JsonSchema;
  readonly manifestSchema?: JsonSchema;
  /** Providers: the `volume.backing` values they offer (the plugin's `backings`). */
  readonly backings?: readonly Backing[];
  /** The plugin itself: its tasks, checks, cleaners. */
  load(): Promise<Plugin>;
}

/** The base plugin: active in every build, with no key under `plugins`. */
export const BASE_ENTRY: CatalogEntry = {
  name: 'base',
  kind: 'plugin',
  description: 'What every build does: workspace, volume, bootstrap, apt, configuration, bootloader, hygiene',
  schema: {},
  load: async () => (await import('../base/base-plugin.js')).basePlugin,
};

export const PLUGIN_CATALOG: readonly CatalogEntry[] = [
  {
    name: 'admin_user',
    kind: 'plugin',
    description:
      'Create a user with passwordless sudo, log in by SSH key or password; root SSH logins refused',
    schema: adminUser.schema,
    load: async () => (await import('../../plugins/admin_user/index.js')).adminUserPlugin,
  },
  {
    name: 'ansible',
    kind: 'plugin',
    description: 'Run an Ansible playbook against the image with the chroot connection',
    schema: ansible.schema,
    load: async () => (await import('../../plugins/ansible/index.js')).ansiblePlugin,
  },
  {
    name: 'apt_proxy',
    kind: 'plugin',
    description: 'Download packages through an HTTP proxy during the build (kept in the image if persistent)',
    schema: aptProxy.schema,
    load: async () => (await import('../../plugins/apt_proxy/index.js')).aptProxyPlugin,
  },
  {
    name: 'boot_test',
    kind: 'plugin',
    description: 'Boot the image in QEMU with checks before anything is published',
    schema: bootTest.schema,
    load: async () => (await import('../boottest/boot-test-plugin.js')).bootTestPlugin,
  },
  {
    name: 'cloud_init',
    kind: 'plugin',
    description: 'Configure instances at boot with cloud-init (default user, datasources, modules)',
    schema: cloudInit.schema,
    load: async () => (await import('../../plugins/cloud_init/index.js')).cloudInitPlugin,
  },
  {
    name: 'commands',
    kind: 'plugin',
    description:
      'Run commands (argv lists, {root} = image root) on the build host after system configuration',
    schema: commands.schema,
    load: async () => (await import('../../plugins/commands/index.js')).commandsPlugin,
  },
  {
    name: 'debconf',
    kind: 'plugin',
    description: 'Preseed debconf answers before packages are installed',
    schema: debconf.schema,
    load: async () => (await import('../../plugins/debconf/index.js')).debconfPlugin,
  },
  {
    name: 'docker_daemon',
    kind: 'plugin',
    description: "Install Docker from Debian's docker.io package, enabled at boot",
    schema: dockerDaemon.schema,
    load: async () => (await import('../../plugins/docker_daemon/index.js')).dockerDaemonPlugin,
  },
  {
    name: 'ec2',
    kind: 'provider',
    description:
      'An Amazon Machine Image, EBS-backed (built on EC2, or uploaded from anywhere) or instance-store',
    schema: ec2.schema,
    manifestSchema: ec2.manifestSchema,
    backings: ec2.EC2_BACKINGS,
    load: async () => (await import('../../plugins/ec2/index.js')).ec2Provider,
  },
  {
    name: 'ec2_launch',
    kind: 'plugin',
    description: 'Launch an instance from the new AMI, print its address, optionally deregister the AMI',
    schema: ec2Launch.schema,
    load: async () => (await import('../../plugins/ec2_launch/index.js')).ec2LaunchPlugin,
  },
  {
    name: 'ec2_publish',
    kind: 'plugin',
    description: 'Copy the AMI to other regions, make it public or share it, write the AMI ids to a file',
    schema: ec2Publish.schema,
    load: async () => (await import('../../plugins/ec2_publish/index.js')).ec2PublishPlugin,
  },
  {
    name: 'expand_root',
    kind: 'plugin',
    description: 'Grow the root partition and its filesystem to fill the disk at boot (growpart)',
    schema: expandRoot.schema,
    load: async () => (await import('../../plugins/expand_root/index.js')).expandRootPlugin,
  },
  {
    name: 'file_copy',
    kind: 'plugin',
    description: 'Copy files and directories from the build host into the image, with mode and owner',
    schema: fileCopy.schema,
    load: async () => (await import('../../plugins/file_copy/index.js')).fileCopyPlugin,
  },
  {
    name: 'kvm',
    kind: 'provider',
    description: 'A disk image file for QEMU/KVM: raw, qcow2, vmdk or vdi',
    schema: kvm.schema,
    manifestSchema: kvm.manifestSchema,
    backings: kvm.KVM_BACKINGS,
    load: async () => (await import('../../plugins/kvm/index.js')).kvmProvider,
  },
  {
    name: 'minimize_size',
    kind: 'plugin',
    description: 'Smaller images: dpkg filters for docs and locales, apt settings, zerofree and shrinking',
    schema: minimizeSize.schema,
    load: async () => (await import('../../plugins/minimize_size/index.js')).minimizeSizePlugin,
  },
  {
    name: 'ntp',
    kind: 'plugin',
    description: 'Keep the clock in sync with systemd-timesyncd, optionally with explicit NTP servers',
    schema: ntp.schema,
    load: async () => (await import('../../plugins/ntp/index.js')).ntpPlugin,
  },
  {
    name: 'pip_install',
    kind: 'plugin',
    description: "Install Python packages with the image's pip (python3)",
    schema: pipInstall.schema,
    load: async () => (await import('../../plugins/pip_install/index.js')).pipInstallPlugin,
  },
  {
    name: 'prebootstrapped',
    kind: 'plugin',
    description:
      'Save the bootstrapped tree as a tarball, or start a build from one instead of bootstrapping',
    schema: prebootstrapped.schema,
    load: async () => (await import('../../plugins/prebootstrapped/index.js')).prebootstrappedPlugin,
  },
  {
    name: 'puppet',
    kind: 'plugin',
    description:
      "Install Debian's Puppet, copy its configuration, install modules and apply a manifest in the image",
    schema: puppet.schema,
    load: async () => (await import('../../plugins/puppet/index.js')).puppetPlugin,
  },
  {
    name: 'root_password',
    kind: 'plugin',
    description: "Set root's password and keep SSH password authentication on (test images)",
    schema: rootPassword.schema,
    load: async () => (await import('../../plugins/root_password/index.js')).rootPasswordPlugin,
  },
  {
    name: 'tmpfs_workspace',
    kind: 'plugin',
    description: 'Build in RAM: mount a tmpfs on the workspace (the image file is built there)',
    schema: tmpfsWorkspace.schema,
    load: async () => (await import('../../plugins/tmpfs_workspace/index.js')).tmpfsWorkspacePlugin,
  },
  {
    name: 'unattended_upgrades',
    kind: 'plugin',
    description: 'Install unattended-upgrades and set how often apt updates, downloads and upgrades',
    schema: unattendedUpgrades.schema,
    load: async () => (await import('../../plugins/unattended_upgrades/index.js')).unattendedUpgradesPlugin,
  },
];
