/**
 * System cleaning: empty the build's logs (dpkg.log, apt/term.log, bootstrap.log...) so they do not
 * ship in the image. Files are truncated, not deleted, so their owner and mode stay what the packages
 * set (wtmp, btmp, lastlog have specific ones); rotated and compressed logs are deleted.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';
import { fileSize, walkFiles } from './list-dir.js';

const ROTATED = /(\.\d+|\.gz|\.xz|\.bz2|\.zst|\.old)$/;

export const truncateLogs: Task = {
  id: 'base/truncate-logs',
  phase: 'system-cleaning',
  description: 'Empty the log files written during the build',
  after: ['base/clean-apt'],
  async run(ctx) {
    for (const file of await walkFiles(inImage(imageRoot(ctx), '/var/log'))) {
      if (ROTATED.test(file.name)) await ctx.fs.remove(file.path);
      else if ((await fileSize(file.path)) !== 0) await ctx.fs.writeFile(file.path, '');
    }
  },
};
