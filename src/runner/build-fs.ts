/**
 * BuildFs implementations: the host's filesystem, and a recording one for --dry-run and tests that
 * keeps an in-memory view (seeded files, plus what the run wrote) so later reads see earlier writes.
 */
import * as fs from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BuildFs, WriteOptions } from '../api/fs.js';

export function createHostFs(): BuildFs {
  return {
    readFile: (path) => fs.readFile(path, 'utf8'),
    async writeFile(path, content, options) {
      await fs.writeFile(path, content, options?.mode !== undefined ? { mode: options.mode } : {});
      // The mode given at creation is filtered by the umask and ignored for existing files.
      if (options?.mode !== undefined) await fs.chmod(path, options.mode);
    },
    appendFile: (path, content) => fs.appendFile(path, content),
    exists: (path) =>
      fs.lstat(path).then(
        () => true,
        () => false,
      ),
    async mkdir(path, options) {
      await fs.mkdir(path, {
        recursive: true,
        ...(options?.mode !== undefined ? { mode: options.mode } : {}),
      });
      if (options?.mode !== undefined) await fs.chmod(path, options.mode);
    },
    // rm -rf: no error when the path is already gone, so undo steps can call it unconditionally.
    remove: (path) => fs.rm(path, { recursive: true, force: true }),
    symlink: (target, path) => fs.symlink(target, path),
    chmod: (path, mode) => fs.chmod(path, mode),
  };
}

export type FsOperation =
  | { readonly op: 'writeFile'; readonly path: string; readonly content: string; readonly mode?: number }
  | { readonly op: 'appendFile'; readonly path: string; readonly content: string }
  | { readonly op: 'mkdir'; readonly path: string; readonly mode?: number }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'symlink'; readonly path: string; readonly target: string }
  | { readonly op: 'chmod'; readonly path: string; readonly mode: number };

export interface RecordingFs extends BuildFs {
  /** Every change requested, in order (reads are not recorded). */
  readonly operations: FsOperation[];
  /** The in-memory files: seeded, then written. */
  readonly files: Map<string, string>;
}

export function createRecordingFs(seed: Readonly<Record<string, string>> = {}): RecordingFs {
  const files = new Map(Object.entries(seed));
  const dirs = new Set<string>();
  const operations: FsOperation[] = [];
  const withMode = (o: WriteOptions | undefined) => (o?.mode !== undefined ? { mode: o.mode } : {});
  const text = (c: string | Uint8Array) => (typeof c === 'string' ? c : new TextDecoder().decode(c));
  return {
    operations,
    files,
    readFile: async (path) => files.get(path) ?? '',
    async writeFile(path, content, options) {
      operations.push({ op: 'writeFile', path, content: text(content), ...withMode(options) });
      files.set(path, text(content));
    },
    async appendFile(path, content) {
      operations.push({ op: 'appendFile', path, content });
      files.set(path, (files.get(path) ?? '') + content);
    },
    exists: async (path) => files.has(path) || dirs.has(path),
    async mkdir(path, options) {
      operations.push({ op: 'mkdir', path, ...withMode(options) });
      for (let p = path; p !== dirname(p); p = dirname(p)) dirs.add(p);
    },
    async remove(path) {
      operations.push({ op: 'remove', path });
      for (const p of [...files.keys()]) if (p === path || p.startsWith(`${path}/`)) files.delete(p);
      for (const p of [...dirs]) if (p === path || p.startsWith(`${path}/`)) dirs.delete(p);
    },
    async symlink(target, path) {
      operations.push({ op: 'symlink', path, target });
    },
    async chmod(path, mode) {
      operations.push({ op: 'chmod', path, mode });
    },
  };
}
