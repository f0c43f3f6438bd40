/**
 * Walks an image file in 512 KiB blocks, yielding the data blocks and counting the all-zero ones,
 * which are never uploaded: an EBS snapshot only holds written blocks, and unwritten ones read as
 * zeros. Memory stays bounded: one buffer per block the consumer still holds, plus one scratch
 * buffer; the file is never read whole.
 *
 * Zero blocks are found by reading and comparing (memcmp against a zero block). Node has no
 * lseek(SEEK_DATA/SEEK_HOLE); reading a hole costs no disk I/O (the kernel hands out zero pages),
 * and scripts/bench-upload.sh measures the scan at several GiB/s, far above the upload rate.
 */
import { open } from 'node:fs/promises';

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
}

export function blockCount(fileSize: number): number {
  return Math.ceil(fileSize / EBS_BLOCK_SIZE);
}

export function isZeroBlock(block: Buffer): boolean {
  return block.equals(ZERO_BLOCK);
}

/** Reads `length` bytes at `position` (fewer at end of file) and zero-fills the rest of `into`. */
async function readFull(fd: Awaited<ReturnType<typeof open>>, into: Buffer, position: number): Promise<void> {
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await fd.read(into, got, into.length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  if (got < into.length) into.fill(0, got);
}

/**
 * `onSkip` is called for each zero block as the scan passes it (for progress). The generator closes
 * the file when it finishes, when the consumer stops early (return/throw), or on error.
 */
export function scanBlocks(file: string, fileSize: number, onSkip?: () => void): BlockScan {
  const blocksTotal = blockCount(fileSize);
  let skipped = 0;
  // Opened inside the generator so that a scan nobody starts holds no file descriptor.
  async function* walk(): AsyncGenerator<DataBlock, void, undefined> {
    const fd = await open(file, 'r');
    try {
      let buffer = Buffer.allocUnsafe(EBS_BLOCK_SIZE);
      for (let index = 0; index < blocksTotal; index++) {
        await readFull(fd, buffer, index * EBS_BLOCK_SIZE);
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
      await fd.close();
    }
  }
  return {
    blocks: walk(),
    blocksTotal,
    get skipped() {
      return skipped;
    },
  };
}
