/**
 * Bytes a file occupies on disk (allocated blocks, as `du` counts them), not its apparent size: a
 * sparse raw image is as large as the volume but only its written blocks take space.
 */
import { stat } from 'node:fs/promises';

export async function allocatedBytes(path: string): Promise<number> {
  // st_blocks is in 512-byte units whatever the filesystem's block size (stat(2)).
  return (await stat(path)).blocks * 512;
}
