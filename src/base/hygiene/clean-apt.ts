/**
 * System cleaning: downloaded packages and package lists (bootstrap-vz AptClean). Lists are stale by
 * the time the image boots and take tens of MB; `apt-get update` on first use fetches fresh ones.
 * The .deb cache is emptied file by file, and skipped when /var/cache/apt/archives is still a mount
 * point: the build may bind-mount a persistent host cache there, and `apt-get clean` would wipe it.
 */
import { join } from 'node:path';
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';
import { listDir } from './list-dir.js';
import { safeRemover } from './safe-remove.js';

export const cleanApt: Task = {
  id: 'base/clean-apt',
  phase: 'system-cleaning',
  description: 'Remove downloaded packages and package lists',
  async run(ctx) {
    const root = imageRoot(ctx);
    const rm = await safeRemover(ctx, root);
    const archives = inImage(root, '/var/cache/apt/archives');
    if (rm.mountAt(archives) !== undefined) {
      ctx.log('warn', `${archives} is a mount point (a host package cache?); not emptying it`);
    } else {
      for (const e of await listDir(archives))
        if (e.kind === 'file' && e.name.endsWith('.deb')) await rm.remove(e.path);
      for (const e of await listDir(join(archives, 'partial'))) await rm.remove(e.path);
    }
    // apt's binary caches are rebuilt on demand.
    for (const e of await listDir(inImage(root, '/var/cache/apt')))
      if (e.name.endsWith('.bin')) await rm.remove(e.path);
    for (const e of await listDir(inImage(root, '/var/lib/apt/lists'))) {
      if (e.name !== 'partial' && e.name !== 'lock') await rm.remove(e.path);
    }
    for (const e of await listDir(inImage(root, '/var/lib/apt/lists/partial'))) await rm.remove(e.path);
  },
};
