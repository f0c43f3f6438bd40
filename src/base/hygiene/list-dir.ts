/**
 * Directory listings of the image. BuildFs (src/api/fs.ts) has no readdir, and listing changes nothing,
 * so reads go to node:fs directly while every change still goes through ctx.fs (and is only recorded in
 * a dry run). A missing directory lists as empty, which is also what a dry run sees.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface DirEntry {
  readonly name: string;
  readonly path: string;
  readonly kind: 'file' | 'dir' | 'link' | 'other';
}

export async function listDir(dir: string): Promise<DirEntry[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return [];
    throw e;
  });
  return entries
    .map((e) => ({
      name: e.name,
      path: join(dir, e.name),
      kind: e.isSymbolicLink()
        ? ('link' as const)
        : e.isDirectory()
          ? ('dir' as const)
          : e.isFile()
            ? ('file' as const)
            : ('other' as const),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Regular files under `dir`, recursively, not following symlinks. */
export async function walkFiles(dir: string): Promise<DirEntry[]> {
  const files: DirEntry[] = [];
  for (const entry of await listDir(dir)) {
    if (entry.kind === 'dir') files.push(...(await walkFiles(entry.path)));
    else if (entry.kind === 'file') files.push(entry);
  }
  return files;
}

/** Size of a file, or undefined when it does not exist. */
export async function fileSize(path: string): Promise<number | undefined> {
  return lstat(path).then(
    (s) => s.size,
    () => undefined,
  );
}
