/**
 * GNU tar command lines for a root filesystem tree: numeric owners, modes, ACLs and all xattrs (file
 * capabilities such as ping's live in security.capability), and device nodes, which only GNU tar
 * run as root restores.
 */
import { relative } from 'node:path';

const PRESERVE = ['--numeric-owner', '--acls', '--xattrs', '--xattrs-include=*'] as const;

/**
 * `tar --create` of root into file. `mountTops` are the filesystems mounted in the tree (/boot...): their
 * contents belong to it, their lost+found directories do not. The package lists are left out: every
 * build runs apt-get update before installing anything, and they are tens of MB.
 */
export function tarCreateArgv(root: string, file: string, mountTops: readonly string[] = []): string[] {
  const tops = ['.', ...mountTops.map((m) => `./${relative(root, m)}`)];
  return [
    'tar',
    '--create',
    `--file=${file}`,
    ...PRESERVE,
    '--anchored',
    ...tops.map((d) => `--exclude=${d}/lost+found`),
    '--exclude=./var/lib/apt/lists/*_*',
    `--directory=${root}`,
    '.',
  ];
}

/** `tar --extract` into root, restoring owners and permissions exactly. GNU tar detects compression itself. */
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
