/**
 * base/write-apt-sources: the image's apt sources from the manifest, in the release's format (one-line
 * lists up to bookworm, deb822 debian.sources from trixie on; see apt-sources.ts).
 */
import { join } from 'node:path';
import { imageRoot, type Task } from '../../api/index.js';
import { sourceFiles } from './apt-sources.js';

export const writeAptSources: Task = {
  id: 'base/write-apt-sources',
  phase: 'package-installation',
  description: 'Writing the apt sources',
  after: ['base/install-trusted-keys'],
  async run(ctx) {
    const root = imageRoot(ctx);
    await ctx.fs.mkdir(join(root, 'etc/apt/sources.list.d'));
    const files = sourceFiles(ctx.manifest);
    for (const path of files.remove) {
      if (await ctx.fs.exists(join(root, path))) await ctx.fs.remove(join(root, path));
    }
    for (const { path, content } of files.write) {
      await ctx.fs.writeFile(join(root, path), content, { mode: 0o644 });
    }
  },
};
