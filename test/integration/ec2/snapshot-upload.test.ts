/**
 * The EBS direct uploader against moto (a real HTTP server): a sparse image with data at known
 * offsets, a block of written zeros and a short tail is uploaded, then every block is read back with
 * GetSnapshotBlock and compared with the file; zero blocks must be absent. Then the same upload
 * through the fault proxy (throttling, 500s, stalls past the attempt timeout, dropped connections
 * before and after moto saw the request) must still produce the same snapshot, and only one. Last,
 * an abort mid-upload returns promptly and sends nothing afterwards. Needs moto (.venv); ~10 s.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EBSClient, GetSnapshotBlockCommand, ListSnapshotBlocksCommand } from '@aws-sdk/client-ebs';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  EBS_BLOCK_SIZE,
  UPLOAD_EBS_CLIENT_CONFIG,
  uploadImageToSnapshot,
  type SnapshotUploadOptions,
} from '../../../plugins/ec2/snapshot-upload/index.js';
import { startFaultProxy, type FaultProxy } from '../../helpers/fault-proxy.js';
import { MOTO_CREDENTIALS, motoSkip, startMoto, type Moto } from '../../helpers/moto.js';

const B = EBS_BLOCK_SIZE;
/** 44 blocks, the last one short; data in blocks 0-23, 26, 30-31 and 43. */
const FILE_SIZE = 43 * B + 100_000;
const DATA_BLOCKS = [...Array.from({ length: 24 }, (_, i) => i), 26, 30, 31, 43];

function clients(endpoint: string): { ebs: EBSClient; ec2: EC2Client } {
  const config = {
    endpoint,
    region: MOTO_CREDENTIALS.AWS_REGION,
    credentials: {
      accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  };
  return {
    ebs: new EBSClient({ ...config, ...UPLOAD_EBS_CLIENT_CONFIG }),
    ec2: new EC2Client({ ...config, maxAttempts: 1 }),
  };
}

describe('EBS direct snapshot upload against moto', { skip: motoSkip }, () => {
  let moto: Moto;
  let dir = '';
  let image = '';
  let imageBytes: Buffer;

  before(async () => {
    moto = await startMoto();
    dir = await mkdtemp(join(tmpdir(), 'snapshot-upload-it-'));
    image = join(dir, 'disk.raw');
    const fd = await open(image, 'w');
    await fd.truncate(FILE_SIZE); // a sparse file: holes everywhere not written below
    await fd.write(randomBytes(24 * B), 0, 24 * B, 0);
    await fd.write(Buffer.alloc(B), 0, B, 25 * B); // written zeros: data on disk, still skipped
    await fd.write(Buffer.from('one byte run'), 0, 12, 26 * B + 1000);
    await fd.write(randomBytes(B), 0, B, 30 * B + B / 2); // spans blocks 30 and 31
    await fd.write(randomBytes(50_000), 0, 50_000, 43 * B + 10_000); // in the short tail
    await fd.close();
    imageBytes = await readFile(image);
  });

  after(async () => {
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function snapshotIds(ec2: EC2Client): Promise<string[]> {
    const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    return (out.Snapshots ?? []).map((s) => s.SnapshotId ?? '').sort();
  }

  /** Every block moto holds equals the file's block (zero-padded at the end); no other block exists. */
  async function assertSnapshotMatchesImage(ebs: EBSClient, snapshotId: string): Promise<void> {
    const listed = await ebs.send(new ListSnapshotBlocksCommand({ SnapshotId: snapshotId }));
    // moto returns BlockIndex as a JSON string (aws.md section 5).
    const blocks = (listed.Blocks ?? []).map((b) => ({
      index: Number(b.BlockIndex),
      token: b.BlockToken ?? '',
    }));
    assert.deepEqual(
      blocks.map((b) => b.index).sort((a, b) => a - b),
      DATA_BLOCKS,
    );
    for (const { index, token } of blocks) {
      const got = await ebs.send(
        new GetSnapshotBlockCommand({ SnapshotId: snapshotId, BlockIndex: index, BlockToken: token }),
      );
      const data = Buffer.from((await got.BlockData?.transformToByteArray()) ?? []);
      const expected = Buffer.alloc(B);
      imageBytes.copy(expected, 0, index * B, Math.min((index + 1) * B, FILE_SIZE));
      assert.equal(data.length, B, `block ${index} is a whole 512 KiB block`);
      assert.ok(data.equals(expected), `block ${index} matches the image`);
    }
  }

  it('uploads only the data blocks, each readable back unchanged', async () => {
    const { ebs, ec2 } = clients(moto.endpoint);
    const before = await snapshotIds(ec2);
    const started: string[] = [];
    let last = { bytesWritten: 0, blocksWritten: 0, blocksSkipped: 0, blocksTotal: 0 };
    const result = await uploadImageToSnapshot({
      ebs,
      file: image,
      clientToken: 'it-plain-upload',
      description: 'snapshot-upload integration test',
      tags: { purpose: 'test' },
      concurrency: 4,
      onStarted: (id) => {
        started.push(id);
      },
      onProgress: (p) => (last = p),
    });
    assert.deepEqual(started, [result.snapshotId], 'onStarted ran once, with the id');
    assert.equal(result.blocksWritten, DATA_BLOCKS.length);
    assert.equal(result.blocksSkipped, 44 - DATA_BLOCKS.length);
    assert.equal(result.bytesWritten, DATA_BLOCKS.length * B);
    assert.equal(result.volumeSizeGiB, 1);
    assert.equal(result.retries, 0);
    assert.deepEqual(last, {
      bytesWritten: DATA_BLOCKS.length * B,
      blocksWritten: DATA_BLOCKS.length,
      blocksSkipped: 16,
      blocksTotal: 44,
    });
    await assertSnapshotMatchesImage(ebs, result.snapshotId);
    const afterIds = await snapshotIds(ec2);
    assert.deepEqual(
      afterIds.filter((id) => !before.includes(id)),
      [result.snapshotId],
    );
  });

  describe('through the fault proxy', () => {
    let proxy: FaultProxy;
    before(async () => {
      proxy = await startFaultProxy(moto.endpoint, { seed: 6 });
    });
    after(async () => {
      await proxy?.close();
    });

    it('completes despite throttling, 500s, stalls and drops, with one snapshot', async () => {
      const { ebs, ec2 } = clients(proxy.endpoint);
      const before = await snapshotIds(ec2);
      proxy.setRules([
        // Only faults that stop StartSnapshot before moto: moto ignores ClientToken, AWS would not.
        { operation: 'StartSnapshot', fault: 'throttle', times: 2 },
        { operation: 'StartSnapshot', fault: 'server-error', times: 1 },
        { operation: 'PutSnapshotBlock', fault: 'throttle', rate: 0.15 },
        { operation: 'PutSnapshotBlock', fault: 'server-error', rate: 0.1 },
        { operation: 'PutSnapshotBlock', fault: 'drop', rate: 0.1 },
        { operation: 'PutSnapshotBlock', fault: 'drop-response', rate: 0.1 },
        { operation: 'PutSnapshotBlock', fault: 'delay', delayMs: 5000, rate: 0.05 },
        { operation: 'PutSnapshotBlock', fault: 'delay', delayMs: 100, rate: 0.1 },
        { operation: 'CompleteSnapshot', fault: 'throttle', times: 1 },
      ]);
      const result = await uploadImageToSnapshot({
        ebs,
        file: image,
        clientToken: 'it-faulty-upload',
        concurrency: 8,
        attemptTimeoutSeconds: 2, // the 5 s stalls time out; moto answers in well under 2 s even on a loaded machine
      });
      proxy.setRules([]);
      for (const fault of ['throttle', 'server-error', 'drop', 'drop-response', 'delay'] as const) {
        assert.ok(proxy.counts[fault] > 0, `the proxy injected ${fault}`);
      }
      assert.equal(proxy.count('StartSnapshot', 'forwarded'), 1, 'one StartSnapshot reached moto');
      assert.equal(proxy.count('CompleteSnapshot', 'throttle'), 1);
      assert.ok(result.retries >= 4, `retries counted (${result.retries})`);
      assert.equal(result.blocksWritten, DATA_BLOCKS.length, 'a retried block is counted once');
      await assertSnapshotMatchesImage(ebs, result.snapshotId);
      const afterIds = await snapshotIds(ec2);
      assert.deepEqual(
        afterIds.filter((id) => !before.includes(id)),
        [result.snapshotId],
        'one snapshot only',
      );
    });

    it('a permanent 400 on a block fails the upload without retrying it', async () => {
      const { ebs } = clients(proxy.endpoint);
      proxy.setRules([
        { operation: 'PutSnapshotBlock', fault: { status: 400, code: 'ValidationException' } },
      ]);
      const puts = proxy.count('PutSnapshotBlock');
      await assert.rejects(
        uploadImageToSnapshot({ ebs, file: image, clientToken: 'it-denied', concurrency: 1 }),
        { name: 'ValidationException' },
      );
      proxy.setRules([]);
      assert.equal(proxy.count('PutSnapshotBlock') - puts, 1, 'one attempt, no retry, no further block');
    });

    it('an abort mid-upload rejects promptly and sends nothing afterwards', async () => {
      const { ebs } = clients(proxy.endpoint);
      proxy.setRules([{ operation: 'PutSnapshotBlock', fault: 'delay', delayMs: 30_000 }]);
      const controller = new AbortController();
      const options: SnapshotUploadOptions = {
        ebs,
        file: image,
        clientToken: 'it-aborted',
        concurrency: 4,
        signal: controller.signal,
        onStarted: () => {
          setTimeout(() => controller.abort(new Error('interrupted by the test')), 300);
        },
      };
      const completes = proxy.count('CompleteSnapshot');
      const t0 = Date.now();
      await assert.rejects(uploadImageToSnapshot(options), /interrupted by the test/);
      assert.ok(Date.now() - t0 < 5000, 'returned long before the 30 s stall ended');
      const seen = proxy.log.length;
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(proxy.log.length, seen, 'no request after the upload returned');
      assert.equal(proxy.count('CompleteSnapshot'), completes, 'an aborted upload is never completed');
      proxy.setRules([]);
    });
  });
});
