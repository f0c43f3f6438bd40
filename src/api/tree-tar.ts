/**
 * GNU tar command lines for a root filesystem tree, shared by the bootstrap cache and plugins that
 * save or restore trees (prebootstrapped). GNU tar, not the `tar` npm package: it keeps numeric
 * owners, modes, ACLs, all xattrs (file capabilities such as ping's live in security.capability) and
 * device nodes, and it was about 3x faster on a bootstrapped tree (src/base/bootstrap/tar-archive.ts).
 */
import { relative } from 'node:path';

const PRESERVE = ['--numeric-owner', '--acls', '--xattrs', '--xattrs-include=*'] as const;

/**
 * `tar --create` of the tree at root into file. `mounts` are filesystems mounted below the root
 * (/boot...): their contents belong to the tree, their lost+found directories do not. `exclude` adds
 * anchored patterns (`./var/lib/apt/lists/*_*`).
 */
export function tarCreateArgv(
  root: string,
  file: string,
  mounts: readonly string[] = [],
  exclude: readonly string[] = [],
): string[] {
  const lostFound = ['.', ...mounts.map((m) => `./${relative(root, m)}`)].map(
    (d) => `--exclude=${d}/lost+found`,
  );
  return [
    'tar',
    '--create',
    `--file=${file}`,
    ...PRESERVE,
    '--anchored',
    ...lostFound,
    ...exclude.map((p) => `--exclude=${p}`),
    `--directory=${root}`,
    '.',
  ];
}

/** `tar --extract` into root, restoring owners and permissions exactly (builds run as root). */
export function tarExtractArgv(file: string, root: string): string[] {
  return [
    'tar',
    '--extract',
    `--file=${file}`,
    ...PRESERVE,
    '--same-owner',
    '--preserve-permissions',
    `--directory=${root}`,
  ];
}
