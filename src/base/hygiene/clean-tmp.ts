/** System cleaning: empty /tmp and /var/tmp, keeping the directories and their modes (bootstrap-vz CleanTMP). */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';
import { listDir } from './list-dir.js';
import { safeRemover } from './safe-remove.js';

export const cleanTmp: Task = {
  id: 'base/clean-tmp',
  phase: 'system-cleaning',
  description: 'Empty /tmp and /var/tmp',
  async run(ctx) {
    const root = imageRoot(ctx);
    const rm = await safeRemover(ctx, root);
    for (const dir of ['/tmp', '/var/tmp']) {
      for (const entry of await listDir(inImage(root, dir))) await rm.remove(entry.path);
    }
  },
};
