/** The shape of `plugins.file_copy` (see schema.ts), and where a source path is on the build host. */
import { dirname, isAbsolute, resolve } from 'node:path';

export interface Ownership {
  readonly permissions?: string;
  readonly owner?: string;
  readonly group?: string;
}

export interface DirEntry extends Ownership {
  readonly dir: string;
}

export interface FileEntry extends Ownership {
  readonly src: string;
  readonly dst: string;
}

export interface FileCopySettings {
  readonly mkdirs?: readonly DirEntry[];
  readonly files: readonly FileEntry[];
}

/** bootstrap-vz: "src is relative to the manifest". Relative to the manifest file's directory. */
export function sourcePath(manifestFile: string, src: string): string {
  return isAbsolute(src) ? src : resolve(dirname(manifestFile), src);
}
