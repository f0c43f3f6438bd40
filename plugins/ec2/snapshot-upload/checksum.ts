/**
 * EBS direct API checksums. Each block carries the base64 SHA-256 of its 512 KiB; CompleteSnapshot
 * may carry a LINEAR aggregate. The docs do not say whether LINEAR concatenates raw digests or their
 * base64 text; we follow awslabs/coldsnap (used in production by Bottlerocket): the raw 32-byte
 * digests of the written blocks in ascending block index, SHA-256 over that, base64.
 */
import { createHash } from 'node:crypto';

/** Raw 32-byte SHA-256 of one block. */
export function blockDigest(block: Buffer): Buffer {
  return createHash('sha256').update(block).digest();
}

/** The LINEAR aggregate, base64, of the digests keyed by block index (any insertion order). */
export function linearAggregate(digests: ReadonlyMap<number, Buffer>): string {
  const hash = createHash('sha256');
  for (const index of [...digests.keys()].sort((a, b) => a - b)) hash.update(digests.get(index)!);
  return hash.digest('base64');
}
