/**
 * Settings of the `tmpfs_workspace` plugin. Upstream (bootstrap-vz at fcdc699) had no schema file for it:
 * its README says the plugin has no settings and is enabled with `tmpfs_workspace: {}`.
 */
import type { JsonSchema } from '../../src/api/index.js';

export const schema: JsonSchema = {
  type: 'object',
  title: 'tmpfs_workspace plugin',
  description:
    'Mount a tmpfs on the workspace so temporary build files stay in RAM. No settings: write `tmpfs_workspace: {}`.',
  properties: {},
  additionalProperties: false,
};
