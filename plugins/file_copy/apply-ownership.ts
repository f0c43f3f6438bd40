/**
 * Permissions, owner and group of a copied file or a created directory. As in bootstrap-vz they are
 * set by chown, chgrp and chmod run inside the image, so names are looked up in the image's
 * /etc/passwd and /etc/group, not the host's. The order is owner, group, then mode, because chown
 * clears setuid and setgid bits that a mode such as "4755" asks for. A copied tree gets them
 * recursively (`-R`); symbolic modes with `X` ("u=rwX,go=rX") keep its directories searchable.
 */
import type { TaskContext } from '../../src/api/index.js';
import type { Ownership } from './settings.js';

export async function applyOwnership(
  ctx: TaskContext,
  root: string,
  imagePath: string,
  entry: Ownership,
  recursive: boolean,
): Promise<void> {
  const r = recursive ? ['-R'] : [];
  // `--` so that a mode such as "-w" is not read as an option.
  if (entry.owner !== undefined) await ctx.runner.chroot(root, ['chown', ...r, '--', entry.owner, imagePath]);
  if (entry.group !== undefined) await ctx.runner.chroot(root, ['chgrp', ...r, '--', entry.group, imagePath]);
  if (entry.permissions !== undefined)
    await ctx.runner.chroot(root, ['chmod', ...r, '--', entry.permissions, imagePath]);
}
