/** base/write-apt-sources: /etc/apt/sources.list and sources.list.d from the manifest (see apt-sources.ts). */
import { join } from 'node:path';
import { imageRoot, type Task } from '../../api/index.js';
import { renderSourceList, sourceListPath, sourceLists } from './apt-sources.js';

export const writeAptSources: Task = {
  id: 'base/write-apt-sources',
  phase: 'package-installation',
  description: 'Writing the apt sources',
  after: ['base/install-trusted-keys'],
  async run(ctx) {
    const root = imageRoot(ctx);
    await ctx.fs.mkdir(join(root, 'etc/apt/sources.list.d'));
    for (const [name, lines] of sourceLists(ctx.manifest)) {
      await ctx.fs.writeFile(join(root, sourceListPath(name)), renderSourceList(lines), { mode: 0o644 });
    }
  },
};
