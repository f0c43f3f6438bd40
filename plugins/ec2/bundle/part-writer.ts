/**
 * The last stage of the bundle pipeline: cuts the encrypted stream into `<prefix>.part.NN` files of a fixed
 * size (10 MiB for EC2), hashing each with SHA-1 as it is written. Back-pressure comes from the file
 * streams, so at most one chunk per part is held in memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';

export interface BundlePart {
  readonly index: number;
  /** File (and S3 key suffix) name: `<prefix>.part.NN`. */
  readonly filename: string;
  readonly path: string;
  readonly size: number;
  /** Lowercase hex SHA-1 of the part's bytes. */
  readonly sha1: string;
}

/** `<prefix>.part.NN`: the index has at least two digits (euca2ools and ec2-bundle-image). */
export function partFilename(prefix: string, index: number): string {
  return `${prefix}.part.${String(index).padStart(2, '0')}`;
}

interface OpenPart {
  readonly index: number;
  readonly path: string;
  readonly file: WriteStream;
  readonly hash: Hash;
  size: number;
}

export class PartWriter extends Writable {
  readonly parts: BundlePart[] = [];
  private current: OpenPart | undefined;

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
    private readonly partSize: number,
  ) {
    super();
    if (!Number.isInteger(partSize) || partSize <= 0) throw new Error(`bad part size ${partSize}`);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.writeChunk(chunk).then(() => done(), done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.closeCurrent().then(() => done(), done);
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.current?.file.destroy();
    this.current = undefined;
    done(err);
  }

  private async writeChunk(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const part = this.current ?? this.open();
      const take = Math.min(this.partSize - part.size, chunk.length - offset);
      const slice = chunk.subarray(offset, offset + take);
      part.hash.update(slice);
      part.size += take;
      offset += take;
      if (!part.file.write(slice)) await waitDrain(part.file);
      if (part.size === this.partSize) await this.closeCurrent();
    }
  }

  private open(): OpenPart {
    const index = this.parts.length;
    const path = join(this.dir, partFilename(this.prefix, index));
    const part = { index, path, file: createWriteStream(path), hash: createHash('sha1'), size: 0 };
    this.current = part;
    return part;
  }

  private async closeCurrent(): Promise<void> {
    const part = this.current;
    if (!part) return;
    this.current = undefined;
    await new Promise<void>((resolve, reject) => {
      part.file.once('error', reject);
      part.file.end(resolve);
    });
    this.parts.push({
      index: part.index,
      filename: partFilename(this.prefix, part.index),
      path: part.path,
      size: part.size,
      sha1: part.hash.digest('hex'),
    });
  }
}

function waitDrain(file: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      file.off('drain', onDrain);
      reject(err);
    };
    const onDrain = (): void => {
      file.off('error', onError);
      resolve();
    };
    file.once('drain', onDrain);
    file.once('error', onError);
  });
}
