/**
 * Plugin `debconf`: preseed debconf answers (debconf-set-selections format) in the image before packages
 * are installed, so their maintainer scripts configure them without asking. As in bootstrap-vz, the
 * setting is a string, not a mapping.
 */
import { definePlugin } from '../../src/api/index.js';
import { schema } from './schema.js';
import { parseSelections } from './selections.js';
import { deferPackages, setDebconfSelections } from './tasks.js';

export const debconfPlugin = definePlugin({
  name: 'debconf',
  kind: 'plugin',
  description: 'Preseed debconf answers before packages are installed',
  schema,
  tasks: [deferPackages, setDebconfSelections],
  check(manifest, report) {
    const text = manifest.pluginSettings<unknown>('debconf');
    if (typeof text !== 'string') return; // the schema reports it
    for (const p of parseSelections(text).problems) {
      const message = `line ${p.line} of the selections: ${p.message}`;
      if (p.severity === 'error') report.error('/plugins/debconf', message);
      else report.warn('/plugins/debconf', message);
    }
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(deferPackages, setDebconfSelections);
  },
});
