/**
 * Plugin `expand_root`: at every boot, a oneshot unit grows the partition that holds / (found at
 * boot, not at build time) to the end of the disk with growpart, then the filesystem with resize2fs
 * or xfs_growfs. With cloud_init enabled as well, cloud-init's own growpart and resizefs are turned
 * off so only one of them resizes the disk.
 */
import { definePlugin } from '../../src/api/index.js';
import { checkExpandRoot } from './check-expand-root.js';
import { schema } from './schema.js';
import { addExpandRootPackages, disableCloudInitGrowpart, installExpandRoot } from './tasks.js';

export const expandRootPlugin = definePlugin({
  name: 'expand_root',
  kind: 'plugin',
  description: 'Grow the root partition and its filesystem to fill the disk at boot (growpart)',
  schema,
  tasks: [addExpandRootPackages, installExpandRoot, disableCloudInitGrowpart],
  check: checkExpandRoot,
  resolveTasks(manifest, tasks) {
    tasks.add(addExpandRootPackages, installExpandRoot);
    if (manifest.isPluginEnabled('cloud_init')) tasks.add(disableCloudInitGrowpart);
  },
});
