/**
 * The bundle's tar stream: one regular file named after the image, written as header + data + padding +
 * end-of-archive, so its size is known before a byte is read and nothing but the file is buffered. The
 * header comes from the `tar` package (ustar, the format ec2-bundle-image and euca2ools produce).
 */
import { createReadStream } from 'node:fs';
import { Header } from 'tar';

const BLOCK = 512;

/** The 512-byte ustar header of the one entry. */
export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const header = new Header({
    path: name,
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
    size,
    mtime,
    type: 'File',
  });
  const block = Buffer.alloc(BLOCK);
  header.encode(block, 0);
  if (header.needPax) throw new Error(`tar entry name "${name}" does not fit a ustar header`);
  return block;
}

/** Zero bytes after the data: padding to a whole block, then the two zero blocks that end an archive. */
export function tarTrailer(size: number): Buffer {
  return Buffer.alloc(((BLOCK - (size % BLOCK)) % BLOCK) + 2 * BLOCK);
}

/** Total length of the tar stream for a file of `size` bytes. */
export function tarLength(size: number): number {
  return BLOCK + size + tarTrailer(size).length;
}

/**
 * Yields the archive for the file at `path`, of `size` bytes (stat'ed by the caller). A file that changes
 * length while it is read is an error rather than a silently wrong bundle.
 */
export async function* tarOneFile(
  path: string,
  name: string,
  size: number,
  mtime: Date,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  yield tarHeader(name, size, mtime);
  let read = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    const buf = chunk as Buffer;
    read += buf.length;
    if (read > size) break;
    yield buf;
  }
  if (read !== size) throw new Error(`${path} changed size while it was bundled (${size} -> ${read} bytes)`);
  yield tarTrailer(size);
}
