/**
 * Copies a file or a directory tree from the build host into the image. Sources are read with
 * node:fs (reading the host changes nothing, so a dry run reads too); everything written goes through
 * ctx.fs, so a dry run records it instead. Every destination is resolved inside the image first
 * (image-path.ts): a symlink in the image, even an absolute one, never leads a write onto the host.
 *
 * Semantics, as bootstrap-vz's shutil.copy for files, extended to directories:
 * - a file copied onto an existing directory lands inside it, under its own name;
 * - a directory's contents are merged into the destination directory, created when missing;
 * - modes are copied from the source; symlinks inside a copied tree are copied as symlinks;
 * - the destination's parent must exist (create it with `mkdirs`), so a typo does not make a tree.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { BuildError, type TaskContext } from '../../src/api/index.js';
import { hostPath, resolveInImage } from './image-path.js';

export interface Copied {
  /** Where the copy is, as an image path with the image's symlinks resolved. */
  readonly imagePath: string;
  readonly directory: boolean;
}

const PERMISSION_BITS = 0o7777;

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  return lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  });
}

/** What is at a resolved image path; a dry run sees nothing (the image is not really there). */
async function existing(ctx: TaskContext, root: string, imagePath: string): Promise<Stats | undefined> {
  return ctx.dryRun ? undefined : lstatOrUndefined(hostPath(root, imagePath));
}

async function copyFile(
  ctx: TaskContext,
  root: string,
  src: string,
  mode: number,
  imagePath: string,
): Promise<void> {
  if ((await existing(ctx, root, imagePath))?.isDirectory()) {
    throw new BuildError(`cannot copy the file ${src} over the directory ${imagePath} in the image`);
  }
  await ctx.fs.writeFile(hostPath(root, imagePath), await readFile(src), { mode: mode & PERMISSION_BITS });
}

async function copyDirectory(
  ctx: TaskContext,
  root: string,
  src: string,
  mode: number,
  imagePath: string,
): Promise<void> {
  const there = await existing(ctx, root, imagePath);
  if (there && !there.isDirectory()) {
    throw new BuildError(
      `cannot copy the directory ${src} over ${imagePath} in the image, which is not a directory`,
    );
  }
  if (!there) await ctx.fs.mkdir(hostPath(root, imagePath), { mode: mode & PERMISSION_BITS });
  for (const name of (await readdir(src)).sort()) {
    const child = join(src, name);
    const info = await lstat(child);
    // imagePath is resolved, so only the new last component can still be a symlink in the image.
    const childImage = posix.join(imagePath, name);
    if (info.isSymbolicLink()) {
      const present = await existing(ctx, root, childImage);
      if (present?.isDirectory()) {
        throw new BuildError(
          `cannot replace the directory ${childImage} in the image with the symlink ${child}`,
        );
      }
      if (present) await ctx.fs.remove(hostPath(root, childImage));
      await ctx.fs.symlink(await readlink(child), hostPath(root, childImage));
    } else if (info.isDirectory()) {
      await copyDirectory(ctx, root, child, info.mode, await resolveInImage(root, childImage));
    } else if (info.isFile()) {
      await copyFile(ctx, root, child, info.mode, await resolveInImage(root, childImage));
    } else {
      throw new BuildError(`cannot copy ${child}: only files, directories and symlinks are copied`);
    }
  }
}

/** Copies `src` (a host path) to `dst` (an image path from the manifest, already checked). */
export async function copyIntoImage(
  ctx: TaskContext,
  root: string,
  src: string,
  dst: string,
): Promise<Copied> {
  // The source itself is followed when it is a symlink: the manifest named what it points to.
  const info = await stat(src).catch(() => {
    throw new BuildError(`the source ${src} does not exist`);
  });
  let target = await resolveInImage(root, dst);
  const there = await existing(ctx, root, target);
  if (!there && !ctx.dryRun) {
    const parent = await lstatOrUndefined(hostPath(root, posix.dirname(target)));
    if (!parent?.isDirectory()) {
      throw new BuildError(
        `cannot copy ${src} to ${dst}: ${posix.dirname(target)} does not exist in the image`,
        'create it first with plugins.file_copy.mkdirs',
      );
    }
  }
  if (info.isDirectory()) {
    await copyDirectory(ctx, root, src, info.mode, target);
    return { imagePath: target, directory: true };
  }
  if (!info.isFile()) throw new BuildError(`cannot copy ${src}: it is neither a file nor a directory`);
  if (there?.isDirectory()) target = await resolveInImage(root, posix.join(target, basename(src)));
  await copyFile(ctx, root, src, info.mode, target);
  return { imagePath: target, directory: false };
}
