/**
 * Where a manifest named on the command line is read from. A relative `manifests/...` path that names
 * no file in the current directory is looked up under the package root too, so the shipped manifests
 * work from any directory: `bootstrap manifests/debian-qemu.yml` in a clone's subdirectory, or with the
 * .deb installed (/usr/lib/bootstrap/manifests, a link to /usr/share/bootstrap/manifests).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { packageRoot } from '../api/package-root.js';

export function resolveManifestPath(
  file: string,
  cwd: string = process.cwd(),
  root: string = packageRoot(),
): string {
  if (isAbsolute(file) || existsSync(resolve(cwd, file))) return file;
  const rel = normalize(file);
  if (!rel.startsWith(`manifests${sep}`)) return file;
  const shipped = join(root, rel);
  return existsSync(shipped) ? shipped : file;
}
