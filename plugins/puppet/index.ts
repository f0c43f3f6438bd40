/**
 * Plugin `puppet`: Debian's Puppet in the image, with optional configuration assets, Forge modules,
 * a manifest applied inside the chroot, and the agent enabled at boot (bootstrap-vz's `puppet`).
 */
import { definePlugin } from '../../src/api/index.js';
import { checkPuppet } from './check-puppet.js';
import type { PuppetSettings } from './puppet-argv.js';
import { schema } from './schema.js';
import { addPuppetPackage, applyManifest, checkPaths, copyAssets, installModules } from './tasks.js';

export const puppetPlugin = definePlugin({
  name: 'puppet',
  kind: 'plugin',
  description:
    "Install Debian's Puppet, copy its configuration, install modules and apply a manifest in the image",
  schema,
  tasks: [checkPaths, addPuppetPackage, installModules, copyAssets, applyManifest],
  check: checkPuppet,
  resolveTasks(manifest, tasks) {
    const s = manifest.pluginSettings<PuppetSettings>('puppet') ?? {};
    tasks.add(addPuppetPackage);
    if (s.manifest !== undefined || s.assets !== undefined) tasks.add(checkPaths);
    if ((s.install_modules ?? []).length > 0) tasks.add(installModules);
    if (s.assets !== undefined) tasks.add(copyAssets);
    if (s.manifest !== undefined) tasks.add(applyManifest);
  },
});
