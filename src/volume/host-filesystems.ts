/**
 * Which filesystems the host kernel can mount. Some build VMs run a kernel without loadable modules
 * and without vfat (seen on the CI machines: /proc/filesystems lists ext4 and xfs only), so mounting
 * the ESP fails there. A validation task can check this up front instead of failing mid-build.
 */
import { readFile } from 'node:fs/promises';

/** Parses /proc/filesystems ("nodev\tproc", "\text4"). */
export function parseProcFilesystems(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.split('\t').at(-1)?.trim() ?? '')
      .filter((name) => name !== ''),
  );
}

export async function hostFilesystems(): Promise<Set<string>> {
  return parseProcFilesystems(await readFile('/proc/filesystems', 'utf8'));
}
