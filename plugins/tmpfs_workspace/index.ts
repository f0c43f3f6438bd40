/**
 * Plugin `tmpfs_workspace`: the build's workspace, and with it the image file while it is built, lives
 * on a tmpfs, for hosts with slow disks and enough memory.
 */
import { definePlugin } from '../../src/api/index.js';
import { checkTmpfsWorkspace } from './check.js';
import { schema } from './schema.js';
import { mountWorkspace, unmountWorkspace } from './tasks.js';

export const tmpfsWorkspacePlugin = definePlugin({
  name: 'tmpfs_workspace',
  kind: 'plugin',
  description: 'Build in RAM: mount a tmpfs on the workspace (the image file is built there)',
  schema,
  tasks: [mountWorkspace, unmountWorkspace],
  check: checkTmpfsWorkspace,
  resolveTasks(_manifest, tasks) {
    tasks.add(mountWorkspace, unmountWorkspace);
  },
});
