/**
 * Settings of the `tmpfs_workspace` plugin. Upstream (bootstrap-vz at fcdc699) had no schema file for it:
 * its README says the plugin has no settings and is enabled with `tmpfs_workspace: {}`, which still
 * works. `size` is added here.
 */
import { SIZE_PATTERN, type JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'tmpfs_workspace plugin',
  description:
    'Mount a tmpfs on the workspace so the build, image file included, stays in RAM. `tmpfs_workspace: {}` uses the kernel default size (half the RAM).',
  properties: {
    size: {
      type: 'string',
      pattern: SIZE_PATTERN,
      description:
        'Added: the most RAM the tmpfs may use, e.g. 6GiB (default: half the RAM, the kernel default).',
    },
  },
  additionalProperties: false,
};
