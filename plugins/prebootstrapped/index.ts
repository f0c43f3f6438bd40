/**
 * Plugin `prebootstrapped`: skip the slow part of a build. Without settings it saves the bootstrapped
 * tree (after package installation) as a tarball next to the image and says where; with `tarball` it
 * unpacks that tarball into the new volume instead of running the bootstrapper.
 */
import { definePlugin } from '../../src/api/index.js';
import { checkPrebootstrapped } from './check.js';
import { schema } from './schema.js';
import { inputTarball } from './settings.js';
import { checkTarball, extractTarball, saveTarball } from './tasks.js';

export const prebootstrappedPlugin = definePlugin({
  name: 'prebootstrapped',
  kind: 'plugin',
  description: 'Save the bootstrapped tree as a tarball, or start a build from one instead of bootstrapping',
  schema,
  tasks: [checkTarball, extractTarball, saveTarball],
  check: checkPrebootstrapped,
  resolveTasks(manifest, tasks) {
    if (inputTarball(manifest) !== undefined) {
      tasks.add(checkTarball, extractTarball);
      tasks.remove('base/bootstrap-os');
    } else {
      tasks.add(saveTarball);
    }
  },
});
