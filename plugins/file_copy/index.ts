/**
 * Plugin `file_copy`: files and directory trees from the build host into the image, and directories
 * to create, each with optional mode, owner and group (bootstrap-vz's `file_copy` plugin).
 */
import { definePlugin } from '../../src/api/index.js';
import { checkFileCopy } from './check-file-copy.js';
import { schema } from './schema.js';
import { checkSources, copyFiles, createDirectories } from './tasks.js';

export const fileCopyPlugin = definePlugin({
  name: 'file_copy',
  kind: 'plugin',
  description: 'Copy files and directories from the build host into the image, with mode and owner',
  schema,
  tasks: [checkSources, createDirectories, copyFiles],
  check: checkFileCopy,
  resolveTasks(manifest, tasks) {
    tasks.add(checkSources, copyFiles);
    if ((manifest.pluginSettings<{ mkdirs?: unknown[] }>('file_copy')?.mkdirs ?? []).length > 0) {
      tasks.add(createDirectories);
    }
  },
});
