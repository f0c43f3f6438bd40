/**
 * Walks an image file in 512 KiB blocks, yielding the data blocks and counting the all-zero ones,
 * which are never uploaded: an EBS snapshot only holds written blocks, and unwritten ones read as
 * zeros. Memory stays bounded: one buffer per block the consumer still holds, plus one scratch
 * buffer; the file is never read whole.
 *
 * Zero blocks are found by reading and comparing (memcmp against a zero block): Node has no
 * lseek(SEEK_DATA/SEEK_HOLE). The file is read with O_DIRECT where the filesystem allows it: a
 * buffered read of a hole makes the kernel allocate and zero a page-cache page for every 4 KiB of it,
 * which measured 7 to 28 s for the holes of a fresh 8 GiB image on the build machines, against 0.3 s
 * with O_DIRECT (scripts/bench-upload.sh). O_DIRECT flushes dirty pages of the range first, so a
 * just-written image reads correctly. Where O_DIRECT is refused (tmpfs), buffered reads are used.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** The only DataLength PutSnapshotBlock accepts (moto reports 512 but takes this too). */
export const EBS_BLOCK_SIZE = 524288;
const ZERO_BLOCK = Buffer.alloc(EBS_BLOCK_SIZE);

export interface DataBlock {
  index: number;
  /** Exactly EBS_BLOCK_SIZE bytes, the final short block zero-padded. */
  data: Buffer;
}

export interface BlockScan {
  /** Data blocks in ascending index order; all-zero blocks are skipped and counted. */
  blocks: AsyncGenerator<DataBlock, void, undefined>;
  /** Number of blocks the file spans (the last one may be short). */
  readonly blocksTotal: number;
  /** All-zero blocks passed over so far. */
  readonly skipped: number;
  /** Whether the reads so far used O_DIRECT (false before the first read). */
  readonly direct: boolean;
}

export function blockCount(fileSize: number): number {
  return Math.ceil(fileSize / EBS_BLOCK_SIZE);
}

export function isZeroBlock(block: Buffer): boolean {
  return block.equals(ZERO_BLOCK);
}

/** Reads `into.length` bytes at `position` (fewer at end of file) and zero-fills the rest of `into`. */
async function readFull(fd: FileHandle, into: Buffer, position: number, from = 0): Promise<void> {
  let got = from;
  while (got < into.length) {
    const { bytesRead } = await fd.read(into, got, into.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got < into.length) into.fill(0, got);
}

/**
 * A buffer at a page-aligned address, as O_DIRECT requires: WebAssembly memory is mmap'ed, so its
 * start is page-aligned, which Buffer.allocUnsafe (malloc) does not promise.
 */
function pageAlignedBuffer(size: number): Buffer {
  const pages = Math.ceil(size / 65536);
  // @types/node does not declare the WebAssembly global (it is in lib.dom).
  const { WebAssembly } = globalThis as unknown as {
    WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };
  };
  return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, size);
}

function isEinval(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EINVAL';
}

/** Reads whole blocks, with O_DIRECT when the filesystem takes it. */
class BlockReader {
  private direct: FileHandle | undefined;
  private readonly aligned = pageAlignedBuffer(EBS_BLOCK_SIZE);

  private constructor(
    private readonly buffered: FileHandle,
    direct: FileHandle | undefined,
    private readonly fileSize: number,
  ) {
    this.direct = direct;
  }

  static async open(file: string, fileSize: number, useDirect: boolean): Promise<BlockReader> {
    const buffered = await open(file, 'r');
    let direct: FileHandle | undefined;
    if (useDirect && constants.O_DIRECT !== undefined) {
      direct = await open(file, constants.O_RDONLY | constants.O_DIRECT).catch(() => undefined);
    }
    return new BlockReader(buffered, direct, fileSize);
  }

  get usesDirect(): boolean {
    return this.direct !== undefined;
  }

  /** Block `index` into `into` (EBS_BLOCK_SIZE bytes, the tail zero-padded). */
  async read(index: number, into: Buffer): Promise<void> {
    const position = index * EBS_BLOCK_SIZE;
    if (this.direct) {
      try {
        const { bytesRead } = await this.direct.read(this.aligned, 0, EBS_BLOCK_SIZE, position);
        this.aligned.copy(into, 0, 0, bytesRead);
        // A short direct read before the end of the file is legal but rare: finish it buffered.
        if (bytesRead < EBS_BLOCK_SIZE && position + bytesRead < this.fileSize) {
          return readFull(this.buffered, into, position, bytesRead);
        }
        if (bytesRead < EBS_BLOCK_SIZE) into.fill(0, bytesRead);
        return;
      } catch (err) {
        if (!isEinval(err)) throw err;
        // The filesystem or device wants another alignment: stay buffered from here on.
        await this.direct.close();
        this.direct = undefined;
      }
    }
    await readFull(this.buffered, into, position);
  }

  async close(): Promise<void> {
    await this.direct?.close();
    await this.buffered.close();
  }
}

/**
 * `onSkip` is called for each zero block as the scan passes it (for progress). The generator closes
 * the file when it finishes, when the consumer stops early (return/throw), or on error.
 */
export function scanBlocks(
  file: string,
  fileSize: number,
  onSkip?: () => void,
  options: { direct?: boolean } = {},
): BlockScan {
  const blocksTotal = blockCount(fileSize);
  let skipped = 0;
  let reader: BlockReader | undefined;
  // Opened inside the generator so that a scan nobody starts holds no file descriptor.
  async function* walk(): AsyncGenerator<DataBlock, void, undefined> {
    reader = await BlockReader.open(file, fileSize, options.direct ?? true);
    try {
      let buffer = Buffer.allocUnsafe(EBS_BLOCK_SIZE);
      for (let index = 0; index < blocksTotal; index++) {
        await reader.read(index, buffer);
        if (isZeroBlock(buffer)) {
          skipped++;
          onSkip?.();
          continue;
        }
        const data = buffer;
        // The consumer keeps `data` until its upload finishes: the next read needs a fresh buffer.
        buffer = Buffer.allocUnsafe(EBS_BLOCK_SIZE);
        yield { index, data };
      }
    } finally {
      await reader.close();
    }
  }
  return {
    blocks: walk(),
    blocksTotal,
    get skipped() {
      return skipped;
    },
    get direct() {
      return reader?.usesDirect ?? false;
    },
  };
}
