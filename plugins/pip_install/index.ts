/**
 * Plugin `pip_install`: Python packages from PyPI installed with the image's pip
 * (bootstrap-vz's `pip_install`, for python3).
 */
import { definePlugin } from '../../src/api/index.js';
import { schema } from './schema.js';
import { addPipPackage, installPipPackages, type PipInstallSettings } from './tasks.js';

export const pipInstallPlugin = definePlugin({
  name: 'pip_install',
  kind: 'plugin',
  description: "Install Python packages with the image's pip (python3)",
  schema,
  tasks: [addPipPackage, installPipPackages],
  check(manifest, report) {
    // An option among the requirements (`--index-url`, `-r file`) would change what pip does to the
    // whole list; the schema's strings cannot tell them apart, so they are refused here.
    manifest.pluginSettings<PipInstallSettings>('pip_install')?.packages?.forEach((spec, i) => {
      if (spec.startsWith('-')) {
        report.error(
          `/plugins/pip_install/packages/${i}`,
          `"${spec}" is a pip option, not a requirement`,
          'list only requirement specifiers such as requests==2.31.0',
        );
      }
    });
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(addPipPackage, installPipPackages);
  },
});
