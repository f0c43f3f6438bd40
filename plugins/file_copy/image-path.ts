/**
 * Paths inside the image, resolved the way the image itself would resolve them. The image root is a
 * directory on the build host, and its symlinks are written for the image: `/var/run -> /run` is
 * absolute, so following it on the host would write to the HOST's /run. resolveInImage follows every
 * symlink with the image root as `/` (like a chroot), so the result can never leave the root.
 */
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BuildError } from '../../src/api/index.js';

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS); a loop fails like ELOOP. */
const MAX_LINKS = 40;

/** Why an image path from the manifest is unusable, or undefined when it is fine. */
export function imagePathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be an absolute path in the image';
  if (path.split('/').includes('..')) return 'must not contain ".." (it could leave the image root)';
  if (path.split('/').every((p) => p === '' || p === '.')) return 'must name something below /, not / itself';
  return undefined;
}

/**
 * The image path `imagePath` ends up at once the image's symlinks are followed, every component
 * included (the last one too, as cp and open(2) follow it). Components that do not exist are kept as
 * they are.
 */
export async function resolveInImage(root: string, imagePath: string): Promise<string> {
  const pending = imagePath.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  let missing = false;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      resolved.pop(); // `..` of the image root is the root, as in a chroot
      continue;
    }
    if (!missing) {
      const host = join(root, ...resolved, part);
      const stat = await lstat(host).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
        throw err;
      });
      if (stat === undefined) {
        missing = true;
      } else if (stat.isSymbolicLink()) {
        if (++links > MAX_LINKS)
          throw new BuildError(`too many symlinks while resolving ${imagePath} in the image`);
        const target = await readlink(host);
        if (target.startsWith('/')) resolved.length = 0;
        pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
    }
    resolved.push(part);
  }
  return '/' + resolved.join('/');
}

/** The host path of an image path that resolveInImage returned. */
export function hostPath(root: string, resolvedImagePath: string): string {
  return join(root, resolvedImagePath);
}
