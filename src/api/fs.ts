/**
 * File operations tasks do on the host or inside the image. Going through this interface lets a dry
 * run record them instead of doing them, and lets unit tests run tasks against a temporary directory.
 */
export interface WriteOptions {
  /** Octal permission bits, e.g. 0o644. */
  readonly mode?: number;
}

export interface BuildFs {
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string | Uint8Array, options?: WriteOptions): Promise<void>;
  appendFile(path: string, content: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  mkdir(path: string, options?: WriteOptions): Promise<void>;
  /** Removes a file or a tree; no error when it does not exist. */
  remove(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
}
