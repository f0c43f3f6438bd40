/**
 * Extracts the one file of a bundle's tar stream into an open file, streaming: ustar and GNU regular
 * entries (tar-entry.ts, euca2ools), GNU long names (`L`), pax headers (`x`, `g`: `path` and `size`),
 * base-256 sizes (GNU tar above 8 GiB), and GNU's old sparse entries (`S`), which ec2-bundle-image
 * writes (it runs `tar --sparse`): the stored pieces are written at their offsets and the file is cut
 * to its real size, so holes stay holes. pax sparse formats (GNU.sparse.*), links, directories and a
 * second file are refused: a bundle holds one disk image.
 */
import type { FileHandle } from 'node:fs/promises';

export class TarError extends Error {}

const BLOCK = 512;
const POSIX_MAGIC = Buffer.from('ustar\0', 'latin1');
const ZEROS = Buffer.alloc(1 << 20);
const isZero = (data: Buffer): boolean => data.equals(ZEROS.subarray(0, data.length));

/** Exact-length reads over the chunks of a stream. */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else if (next.value.length > 0) {
        this.buffered.push(next.value);
        this.length += next.value.length;
      }
    }
    return this.length >= n;
  }

  /** Up to `max` bytes (at least one), or undefined at the end of the stream. */
  async some(max: number): Promise<Buffer | undefined> {
    if (!(await this.fill(1))) return undefined;
    const first = this.buffered[0] as Buffer;
    const take = first.subarray(0, Math.min(max, first.length));
    if (take.length === first.length) this.buffered.shift();
    else this.buffered[0] = first.subarray(take.length);
    this.length -= take.length;
    return take;
  }

  /** Exactly n bytes, or undefined when the stream ends first. */
  async exact(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) return undefined;
    const out = Buffer.alloc(n);
    let at = 0;
    while (at < n) {
      const piece = (await this.some(n - at)) as Buffer;
      piece.copy(out, at);
      at += piece.length;
    }
    return out;
  }

  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const piece = await this.some(left);
      if (!piece) return false;
      left -= piece.length;
    }
    return true;
  }
}

/** A numeric header field: octal text, or base-256 when the first byte has its high bit set. */
function numeric(field: Buffer, what: string): number {
  if ((field[0] ?? 0) & 0x80) {
    if (field[0] === 0xff) throw new TarError(`negative ${what} in a tar header`);
    let value = (field[0] ?? 0) & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) throw new TarError(`${what} too large in a tar header`);
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`bad ${what} "${text}" in a tar header`);
  return parseInt(text, 8);
}

const cString = (field: Buffer): string => {
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? field.length : nul).toString('utf8');
};

function checkHeader(header: Buffer): void {
  const stored = numeric(header.subarray(148, 156), 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  if (sum !== stored) throw new TarError('a tar header has a wrong checksum');
}

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/** The records of a pax header: `LEN key=value\n`... */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = Number(data.subarray(at, space).toString('latin1'));
    if (space === -1 || !Number.isInteger(len) || len <= 0 || at + len > data.length)
      throw new TarError('a malformed pax header');
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

/** (offset, length) pairs of a GNU old sparse map: `count` slots of 24 bytes from `from`. */
function sparseSlots(block: Buffer, from: number, count: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const at = from + i * 24;
    if (block[at] === 0) break;
    out.push([
      numeric(block.subarray(at, at + 12), 'sparse offset'),
      numeric(block.subarray(at + 12, at + 24), 'sparse length'),
    ]);
  }
  return out;
}

export interface ExtractedEntry {
  readonly name: string;
  /** The file's size (the real size of a sparse entry). */
  readonly size: number;
  readonly sparse: boolean;
}

/**
 * Reads the tar stream from `chunks` to its end, writes its one file into `out` (an empty file opened
 * for writing) and returns what it was. The stream must end with the end-of-archive zero blocks and
 * nothing but zeros after them.
 */
export async function extractSingleFile(
  chunks: AsyncIterable<Buffer>,
  out: FileHandle,
): Promise<ExtractedEntry> {
  const reader = new ByteReader(chunks[Symbol.asyncIterator]());
  const truncated = (): never => {
    throw new TarError('the tar stream ends inside an entry (truncated bundle)');
  };
  const readData = async (size: number): Promise<Buffer> => {
    const data = (await reader.exact(size)) ?? truncated();
    if (!(await reader.skip(padding(size)))) truncated();
    return data;
  };
  let longName: string | undefined;
  let pax = new Map<string, string>();
  let global = new Map<string, string>();
  let entry: ExtractedEntry | undefined;

  for (;;) {
    const header = await reader.exact(BLOCK);
    if (!header) throw new TarError('the tar stream ends without its end-of-archive blocks');
    if (header.every((b) => b === 0)) break;
    checkHeader(header);
    const type = String.fromCharCode(header[156] ?? 0);
    const attrs = new Map([...global, ...pax]);
    const storedSize = attrs.has('size')
      ? Number(attrs.get('size'))
      : numeric(header.subarray(124, 136), 'size');
    if (!Number.isSafeInteger(storedSize) || storedSize < 0) throw new TarError('a tar entry has a bad size');
    if (type === 'L') {
      longName = cString(await readData(storedSize));
      continue;
    }
    if (type === 'K') {
      await readData(storedSize);
      continue;
    }
    if (type === 'x' || type === 'g') {
      const records = paxRecords(await readData(storedSize));
      for (const key of records.keys())
        if (key.startsWith('GNU.sparse.'))
          throw new TarError(
            'the tar uses a pax sparse format (GNU.sparse.*), which this reader does not know',
          );
      if (type === 'x') pax = records;
      else global = records;
      continue;
    }
    // POSIX ustar has a name prefix at 345; GNU's header ("ustar  ") keeps times and the sparse map there.
    const posix = header.subarray(257, 263).equals(POSIX_MAGIC);
    const prefix = posix ? cString(header.subarray(345, 500)) : '';
    const name =
      attrs.get('path') ?? longName ?? (prefix ? `${prefix}/` : '') + cString(header.subarray(0, 100));
    longName = undefined;
    pax = new Map();
    if (entry) throw new TarError(`the tar holds a second entry "${name}"; a bundle holds one file`);
    if (type === '0' || type === '\0' || type === '7') {
      await copyData(reader, storedSize, out, 0, truncated);
      if (!(await reader.skip(padding(storedSize)))) truncated();
      await out.truncate(storedSize);
      entry = { name, size: storedSize, sparse: false };
    } else if (type === 'S') {
      const map = sparseSlots(header, 386, 4);
      let extended = header[482] !== 0;
      const realSize = numeric(header.subarray(483, 495), 'real size');
      while (extended) {
        const ext = (await reader.exact(BLOCK)) ?? truncated();
        map.push(...sparseSlots(ext, 0, 21));
        extended = ext[504] !== 0;
      }
      const stored = map.reduce((sum, [, length]) => sum + length, 0);
      if (stored !== storedSize)
        throw new TarError('a sparse tar entry whose map does not add up to its size');
      for (const [offset, length] of map) {
        if (offset + length > realSize) throw new TarError('a sparse tar entry writes past its real size');
        await copyData(reader, length, out, offset, truncated);
      }
      if (!(await reader.skip(padding(storedSize)))) truncated();
      await out.truncate(realSize);
      entry = { name, size: realSize, sparse: true };
    } else {
      throw new TarError(`the tar holds a ${describeType(type)} "${name}"; a bundle holds one regular file`);
    }
  }
  // The second zero block and whatever record padding follows must be zeros too.
  for (;;) {
    const rest = await reader.some(1 << 20);
    if (!rest) break;
    if (!isZero(rest)) throw new TarError('data after the end of the tar archive');
  }
  if (!entry) throw new TarError('the tar holds no file');
  return entry;
}

function describeType(type: string): string {
  const names: Record<string, string> = {
    '1': 'hard link',
    '2': 'symbolic link',
    '3': 'character device',
    '4': 'block device',
    '5': 'directory',
    '6': 'FIFO',
  };
  return names[type] ?? `entry of type '${type}'`;
}

/**
 * Copies `length` bytes of entry data to `out` at `position`. All-zero pieces are not written: the file
 * is new and cut to its size at the end, so they read as zeros and take no space (images are mostly
 * empty).
 */
async function copyData(
  reader: ByteReader,
  length: number,
  out: FileHandle,
  position: number,
  truncated: () => never,
): Promise<void> {
  let left = length;
  let at = position;
  while (left > 0) {
    const piece = (await reader.some(Math.min(left, ZEROS.length))) ?? truncated();
    if (!isZero(piece)) await writeAll(out, piece, at);
    at += piece.length;
    left -= piece.length;
  }
}

async function writeAll(out: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await out.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
