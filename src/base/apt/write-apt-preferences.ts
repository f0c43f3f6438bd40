/** base/write-apt-preferences: apt preferences and apt.conf snippets from the manifest (see apt-config.ts). */
import { dirname, join } from 'node:path';
import { imageRoot, type Task } from '../../api/index.js';
import { aptConfFiles, preferenceFiles } from './apt-config.js';

export const writeAptPreferences: Task = {
  id: 'base/write-apt-preferences',
  phase: 'package-installation',
  description: 'Writing apt preferences and configuration',
  after: ['base/write-apt-sources'],
  async run(ctx) {
    const root = imageRoot(ctx);
    for (const file of [...preferenceFiles(ctx.manifest), ...aptConfFiles(ctx.manifest)]) {
      const path = join(root, file.path);
      await ctx.fs.mkdir(dirname(path));
      await ctx.fs.writeFile(path, file.content, { mode: 0o644 });
    }
  },
};
