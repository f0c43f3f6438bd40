/**
 * GNU tar command lines for a saved root tree: the public API's, leaving out the package lists (every
 * build runs apt-get update before installing anything, and they are tens of MB).
 */
import { tarCreateArgv as treeTarCreateArgv } from '../../src/api/index.js';

export { tarExtractArgv } from '../../src/api/index.js';

export function tarCreateArgv(root: string, file: string, mountTops: readonly string[] = []): string[] {
  return treeTarCreateArgv(root, file, mountTops, ['./var/lib/apt/lists/*_*']);
}
