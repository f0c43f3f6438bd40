/**
 * The uploader's parts without a server: checksums against values computed by hand with sha256sum
 * and openssl, the block walk over a sparse file, retry classification and the retry loop, and the
 * calls the uploader makes (with an in-process fake EBS client, since moto ignores ChangedBlocksCount
 * and the aggregate checksum).
 */
import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EBSClient } from '@aws-sdk/client-ebs';
import { blockCount, EBS_BLOCK_SIZE, scanBlocks } from '../../../../plugins/ec2/snapshot-upload/blocks.js';
import { blockDigest, linearAggregate } from '../../../../plugins/ec2/snapshot-upload/checksum.js';
import { uploadImageToSnapshot, volumeSizeFor } from '../../../../plugins/ec2/snapshot-upload/index.js';
import { backoffMs, classifyError, withRetries } from '../../../../plugins/ec2/snapshot-upload/retry.js';

const B = EBS_BLOCK_SIZE;
// `head -c 524288 /dev/zero | tr '\0' '\1' | sha256sum` (and '\2'):
const HEX1 = '33a150bceb13c1a992231e65b4fad16815212fc06cdb408996d32eeb2cef9ebb';
const HEX2 = '228c5bf3f9b0ddb7b231178d7e067aff966a191b1fcd3ed0e2e371eca33fcdfc';
// `echo -n $HEX1$HEX2 | xxd -r -p | openssl dgst -sha256 -binary | base64`: raw digests, index order.
const LINEAR_1_2 = 'fccGN1xyY7l5uqsw58BLULbsU8thbz9pDvzr9oCk5yk=';

describe('checksums', () => {
  it('a block digest is the raw SHA-256 of the 512 KiB', () => {
    assert.equal(blockDigest(Buffer.alloc(B, 1)).toString('hex'), HEX1);
    assert.equal(
      blockDigest(Buffer.alloc(B, 1)).toString('base64'),
      'M6FQvOsTwamSIx5ltPrRaBUhL8Bs20CJltMu6yzvnrs=',
    );
  });

  it('LINEAR hashes the raw digests in ascending block index, whatever the completion order', () => {
    const digests = new Map([
      [70, Buffer.from(HEX2, 'hex')],
      [3, Buffer.from(HEX1, 'hex')],
    ]);
    assert.equal(linearAggregate(digests), LINEAR_1_2);
    // Index 10 sorts after 9 numerically (not as text "10" < "9").
    const numeric = new Map([
      [10, Buffer.from(HEX2, 'hex')],
      [9, Buffer.from(HEX1, 'hex')],
    ]);
    assert.equal(linearAggregate(numeric), LINEAR_1_2);
  });
});

describe('block walk', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'snapshot-blocks-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const direct of [true, false]) {
    it(`yields data blocks in order, skips holes and written zeros, zero-pads the short tail (${direct ? 'O_DIRECT' : 'buffered'})`, async () => {
      const file = join(dir, `sparse-${direct}.raw`);
      const size = 5 * B + 1234;
      const fd = await open(file, 'w');
      await fd.truncate(size);
      await fd.write(Buffer.alloc(10, 7), 0, 10, B + B - 5); // straddles blocks 1 and 2
      await fd.write(Buffer.alloc(B), 0, B, 3 * B); // written zeros
      await fd.write(Buffer.alloc(1234, 9), 0, 1234, 5 * B); // the short tail
      await fd.close();
      let skips = 0;
      const scan = scanBlocks(file, size, () => skips++, { direct });
      assert.equal(scan.blocksTotal, 6);
      const got: { index: number; data: Buffer }[] = [];
      for await (const block of scan.blocks) got.push(block);
      assert.deepEqual(
        got.map((b) => b.index),
        [1, 2, 5],
      );
      assert.equal(scan.skipped, 3);
      assert.equal(skips, 3);
      for (const b of got) assert.equal(b.data.length, B);
      assert.deepEqual([...got[0]!.data.subarray(B - 5)], [7, 7, 7, 7, 7]);
      assert.deepEqual([...got[1]!.data.subarray(0, 6)], [7, 7, 7, 7, 7, 0]);
      const tail = got[2]!.data;
      assert.ok(tail.subarray(0, 1234).equals(Buffer.alloc(1234, 9)));
      assert.ok(
        tail.subarray(1234).equals(Buffer.alloc(B - 1234)),
        'the padding is zeros, not stale buffer bytes',
      );
      // Each yielded block owns its buffer: the walk does not overwrite a block a worker still holds.
      assert.notEqual(got[0]!.data.buffer, got[1]!.data.buffer);
      // Where the filesystem takes O_DIRECT, the direct path really ran (else this test would not cover it).
      const directWorks = await open(file, constants.O_RDONLY | constants.O_DIRECT).then(
        (h) => h.close().then(() => true),
        () => false,
      );
      assert.equal(scan.direct, direct && directWorks);
    });
  }

  it('counts blocks and sizes snapshots in whole GiB', () => {
    assert.equal(blockCount(0), 0);
    assert.equal(blockCount(1), 1);
    assert.equal(blockCount(B), 1);
    assert.equal(blockCount(B + 1), 2);
    assert.equal(volumeSizeFor(0), 1);
    assert.equal(volumeSizeFor(1024 ** 3), 1);
    assert.equal(volumeSizeFor(1024 ** 3 + 1), 2);
    assert.equal(volumeSizeFor(100, 8), 8);
    assert.throws(() => volumeSizeFor(3 * 1024 ** 3, 2), /smaller than the image/);
    assert.throws(() => volumeSizeFor(100, 70000), /maximum of 65536/);
  });
});

const httpError = (name: string, status: number, message = name): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('retry classification', () => {
  it('retries throttling, 5xx and network errors, not access or validation errors', () => {
    assert.equal(classifyError(httpError('ThrottlingException', 429)), 'retry');
    assert.equal(classifyError(httpError('RequestThrottledException', 400)), 'retry');
    assert.equal(classifyError(httpError('ConcurrentLimitExceededException', 400)), 'retry');
    assert.equal(classifyError(httpError('InternalServerException', 500)), 'retry');
    assert.equal(classifyError(httpError('Unknown', 503)), 'retry');
    assert.equal(classifyError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'retry');
    assert.equal(classifyError(new Error('socket hang up')), 'retry');
    assert.equal(classifyError(httpError('AccessDeniedException', 403)), 'fatal');
    assert.equal(classifyError(httpError('ValidationException', 400)), 'fatal');
    assert.equal(classifyError(httpError('ConflictException', 409)), 'fatal');
    assert.equal(classifyError(new TypeError('x is not a function')), 'fatal');
    assert.equal(classifyError('a string'), 'fatal');
  });

  it('treats "the snapshot does not exist" as the start race', () => {
    const race = httpError('ValidationException', 400, "The snapshot 'snap-0abc' does not exist.");
    assert.equal(classifyError(race), 'race');
    assert.equal(classifyError(httpError('ResourceNotFoundException', 404)), 'race');
  });

  it('backs off exponentially with full jitter, capped', () => {
    assert.equal(
      backoffMs(0, () => 0.999),
      249,
    );
    assert.equal(
      backoffMs(3, () => 0.5),
      1000,
    );
    assert.equal(
      backoffMs(20, () => 0.999),
      19_980,
    );
    assert.equal(
      backoffMs(5, () => 0),
      0,
    );
  });
});

describe('retry loop', () => {
  const base = {
    what: 'op',
    attemptTimeoutMs: 1000,
    maxAttempts: 4,
    budgetMs: 60_000,
    raceUntil: 0,
    random: () => 0,
  };

  it('retries transient errors up to maxAttempts, then throws the last error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls++;
        throw httpError('ThrottlingException', 429);
      }, base),
      { name: 'ThrottlingException' },
    );
    assert.equal(calls, 4);
  });

  it('does not retry a fatal error', async () => {
    let calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls++;
        throw httpError('AccessDeniedException', 403);
      }, base),
      { name: 'AccessDeniedException' },
    );
    assert.equal(calls, 1);
  });

  it('retries the start race past maxAttempts, but only within its window', async () => {
    let calls = 0;
    const result = await withRetries(
      async () => {
        if (++calls < 7) throw httpError('ValidationException', 400, 'The snapshot snap-1 does not exist');
        return 'ok';
      },
      { ...base, raceUntil: Date.now() + 60_000 },
    );
    assert.equal(result, 'ok');
    assert.equal(calls, 7);
    calls = 0;
    await assert.rejects(
      withRetries(async () => {
        calls++;
        throw httpError('ValidationException', 400, 'The snapshot snap-1 does not exist');
      }, base),
    );
    assert.equal(calls, 1, 'outside the window the race error is final');
  });

  it('gives each attempt a timeout signal and retries a hung attempt', async () => {
    let calls = 0;
    const result = await withRetries(
      (signal) =>
        new Promise<string>((resolve, reject) => {
          if (++calls >= 2) return resolve('second attempt');
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
      { ...base, attemptTimeoutMs: 50 },
    );
    assert.equal(result, 'second attempt');
    assert.equal(calls, 2);
  });

  it('the caller abort ends the wait between attempts at once', async () => {
    const controller = new AbortController();
    const t0 = Date.now();
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    await assert.rejects(
      withRetries(
        async () => {
          throw httpError('ThrottlingException', 429);
        },
        { ...base, signal: controller.signal, random: () => 0.999, maxAttempts: 100 },
      ),
      /stop now/,
    );
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe('uploader calls (fake EBS client)', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'snapshot-upload-unit-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps at most `concurrency` blocks in flight, and uses all of them', async () => {
    const file = join(dir, 'dense.raw');
    const fd = await open(file, 'w');
    await fd.write(Buffer.alloc(20 * B, 5), 0, 20 * B, 0);
    await fd.close();
    let inFlight = 0;
    let most = 0;
    const ebs = {
      config: { maxAttempts: async () => 1 },
      async send(command: { constructor: { name: string } }) {
        if (command.constructor.name === 'StartSnapshotCommand') return { SnapshotId: 'snap-dense' };
        if (command.constructor.name !== 'PutSnapshotBlockCommand') return {};
        most = Math.max(most, ++inFlight);
        // Each block is held until three are in flight (at most 2 s, for the last ones): a fixed 5 ms
        // made the test depend on reading the next blocks faster than that, which a loaded machine
        // running test files side by side does not.
        for (let waited = 0; inFlight < 3 && waited < 2000; waited += 5) {
          await new Promise((r) => setTimeout(r, 5));
        }
        inFlight--;
        return {};
      },
    } as unknown as EBSClient;
    const result = await uploadImageToSnapshot({ ebs, file, clientToken: 't', concurrency: 3 });
    assert.equal(result.blocksWritten, 20);
    assert.equal(most, 3);
  });

  it('starts, puts each data block with its checksum, completes with the count and LINEAR checksum', async () => {
    const file = join(dir, 'img.raw');
    const fd = await open(file, 'w');
    await fd.truncate(4 * B);
    await fd.write(Buffer.alloc(B, 2), 0, B, 3 * B);
    await fd.write(Buffer.alloc(B, 1), 0, B, 1 * B);
    await fd.close();
    const calls: { name: string; input: Record<string, unknown> }[] = [];
    let first = true;
    const ebs = {
      config: { maxAttempts: async () => 1 },
      async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
        calls.push({ name: command.constructor.name, input: command.input });
        if (command.constructor.name === 'StartSnapshotCommand')
          return { SnapshotId: 'snap-fake', BlockSize: 512 };
        if (command.constructor.name === 'PutSnapshotBlockCommand' && first) {
          first = false;
          throw httpError('ValidationException', 400, "The snapshot 'snap-fake' does not exist");
        }
        return {};
      },
    } as unknown as EBSClient;
    const started: string[] = [];
    const result = await uploadImageToSnapshot({
      ebs,
      file,
      clientToken: 'tok-1',
      description: 'd',
      tags: { a: '1' },
      encrypted: true,
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
      timeoutMinutes: 15,
      onStarted: (id) => {
        started.push(id);
        assert.equal(calls.length, 1, 'onStarted runs before any block');
      },
    });
    assert.deepEqual(started, ['snap-fake']);
    assert.equal(result.retries, 1, 'the start race was retried');
    assert.deepEqual(calls[0], {
      name: 'StartSnapshotCommand',
      input: {
        VolumeSize: 1,
        ClientToken: 'tok-1',
        Timeout: 15,
        Description: 'd',
        Encrypted: true,
        KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
        Tags: [{ Key: 'a', Value: '1' }],
      },
    });
    const puts = calls.filter((c) => c.name === 'PutSnapshotBlockCommand').map((c) => c.input);
    assert.deepEqual([...new Set(puts.map((p) => p.BlockIndex))].sort(), [1, 3]);
    for (const p of puts) {
      assert.equal(p.DataLength, B);
      assert.equal(p.ChecksumAlgorithm, 'SHA256');
      assert.equal(p.Checksum, Buffer.from(p.BlockIndex === 1 ? HEX1 : HEX2, 'hex').toString('base64'));
    }
    assert.deepEqual(calls.at(-1), {
      name: 'CompleteSnapshotCommand',
      input: {
        SnapshotId: 'snap-fake',
        ChangedBlocksCount: 2,
        Checksum: LINEAR_1_2,
        ChecksumAlgorithm: 'SHA256',
        ChecksumAggregationMethod: 'LINEAR',
      },
    });
    assert.deepEqual(
      { written: result.blocksWritten, skipped: result.blocksSkipped, bytes: result.bytesWritten },
      { written: 2, skipped: 2, bytes: 2 * B },
    );
  });
});
