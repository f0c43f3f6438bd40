/**
 * System cleaning: shell and tool histories of root and users, left by plugins or by someone who
 * entered the chroot with --pause-on-error.
 */
import type { Task } from '../../api/index.js';
import { imageRoot, inImage } from '../system/image-paths.js';
import { listDir } from './list-dir.js';

export const HISTORY_FILES = [
  '.bash_history',
  '.zsh_history',
  '.history',
  '.sh_history',
  '.python_history',
  '.mysql_history',
  '.psql_history',
  '.lesshst',
  '.viminfo',
  '.wget-hsts',
];

export const removeShellHistories: Task = {
  id: 'base/remove-shell-histories',
  phase: 'system-cleaning',
  description: 'Remove shell histories',
  async run(ctx) {
    const root = imageRoot(ctx);
    const homes = [
      inImage(root, '/root'),
      ...(await listDir(inImage(root, '/home'))).filter((e) => e.kind === 'dir').map((e) => e.path),
    ];
    for (const home of homes) {
      for (const entry of await listDir(home)) {
        if (HISTORY_FILES.includes(entry.name)) await ctx.fs.remove(entry.path);
      }
    }
  },
};
