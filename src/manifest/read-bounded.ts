/**
 * Reads a manifest file, bounded: only a regular file, and only up to MAX_MANIFEST_BYTES. `/dev/zero`,
 * a FIFO, a directory or a 1 GiB file are refused from their stat, before a byte is read, so nothing
 * named as a manifest (or an `extends`) can make the loader read forever or fill the memory.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { formatBytes } from '../api/size.js';

/** 1 MiB: a manifest is a few kilobytes; documented in docs/manifest-reference.md and the README. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export type BoundedRead = { ok: true; bytes: Buffer } | { ok: false; why: string; hint?: string };

export async function readBounded(file: string, limit = MAX_MANIFEST_BYTES): Promise<BoundedRead> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'ENAMETOOLONG'
            ? 'the file name is too long'
            : code === 'ENOTDIR'
              ? 'a directory in its path is a file'
              : (err as Error).message;
    return { ok: false, why };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      return {
        ok: false,
        why: `is ${kindOf(st)}, not a regular file`,
        hint: 'a manifest is a YAML or JSON text file',
      };
    }
    if (st.size > limit) return tooLarge(st.size, limit);
    // Read at most limit + 1 bytes: a file that grows while it is read is still bounded.
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total === buf.length) break;
    }
    if (total > limit) return tooLarge(total, limit);
    return { ok: true, bytes: buf.subarray(0, total) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'EISDIR' ? 'is a directory, not a file' : (err as Error).message };
  } finally {
    await handle.close();
  }
}

function tooLarge(size: number, limit: number): BoundedRead {
  return {
    ok: false,
    why: `is ${formatBytes(size)}, more than the ${formatBytes(limit)} a manifest may be`,
    hint: 'a manifest is a few kilobytes of YAML; is this the right file?',
  };
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}
