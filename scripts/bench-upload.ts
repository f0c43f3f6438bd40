/**
 * Upload benchmark (run by scripts/bench-upload.sh): an 8 GiB sparse image with 1.5 GiB of random
 * (incompressible, non-zero) data in 48 extents spread evenly, uploaded with the EBS direct API
 * uploader to moto on loopback. Prints throughput (MiB/s of data), blocks written/skipped, and ratios
 * against two baselines measured in the same invocation:
 *
 * - a naive uploader: sequential, no zero-skip (every block is read, hashed and put). It runs on a
 *   1 GiB image of the same density, not the 8 GiB one, because moto keeps every block in memory
 *   (8 GiB of Python bytes on a shared 24 GiB machine); the uploader runs on that image too, so the
 *   ratio compares like with like;
 * - reading and hashing the whole 8 GiB (what any no-skip uploader must at least do locally).
 *
 * And two concurrency sweeps to pick the default: on the 8 GiB image straight to moto (loopback, no
 * latency: bound by the CPU both processes share), and on the 1 GiB image through the fault proxy
 * adding BENCH_RTT_MS (30) to every PutSnapshotBlock, which is closer to a real region from outside AWS.
 * env: BENCH_DIR (default /var/tmp), BENCH_CONCURRENCY ("1 4 8 16 32 64"), BENCH_DEFAULT (16),
 * BENCH_RTT_MS (30; 0 skips the latency sweep).
 */
import { randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  CompleteSnapshotCommand,
  EBSClient,
  PutSnapshotBlockCommand,
  StartSnapshotCommand,
} from '@aws-sdk/client-ebs';
import { EBS_BLOCK_SIZE, scanBlocks } from '../plugins/ec2/snapshot-upload/blocks.js';
import { blockDigest, linearAggregate } from '../plugins/ec2/snapshot-upload/checksum.js';
import { UPLOAD_EBS_CLIENT_CONFIG, uploadImageToSnapshot } from '../plugins/ec2/snapshot-upload/index.js';
import { startFaultProxy } from '../test/helpers/fault-proxy.js';
import { MOTO_CREDENTIALS, startMoto } from '../test/helpers/moto.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const B = EBS_BLOCK_SIZE;

/** `extents` runs of random data of `extentBytes`, evenly spread, each off block alignment by 123 KiB. */
async function makeImage(path: string, size: number, extents: number, extentBytes: number): Promise<number> {
  const fd = await open(path, 'w');
  await fd.truncate(size);
  const chunk = Buffer.allocUnsafe(8 * MiB);
  const stride = Math.floor(size / extents);
  for (let e = 0; e < extents; e++) {
    const start = e * stride + 123 * 1024;
    for (let off = 0; off < extentBytes; off += chunk.length) {
      randomFillSync(chunk);
      await fd.write(chunk, 0, Math.min(chunk.length, extentBytes - off), start + off);
    }
  }
  // On disk before any timing: writeback of fresh pages would otherwise slow the first pass several-fold.
  await fd.sync();
  await fd.close();
  return extents * extentBytes;
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;
const fmt = (n: number, d = 1): string => n.toFixed(d);

async function readAndHashAll(file: string, size: number): Promise<number> {
  const t0 = performance.now();
  const fd = await open(file, 'r');
  const buf = Buffer.allocUnsafe(B);
  for (let pos = 0; pos < size; pos += B) {
    const { bytesRead } = await fd.read(buf, 0, B, pos);
    if (bytesRead < B) buf.fill(0, bytesRead);
    blockDigest(buf);
  }
  await fd.close();
  return seconds(t0);
}

async function scanOnly(
  file: string,
  size: number,
  direct: boolean,
): Promise<{ s: number; data: number; zero: number }> {
  const t0 = performance.now();
  const scan = scanBlocks(file, size, undefined, { direct });
  let data = 0;
  for await (const _ of scan.blocks) data++;
  return { s: seconds(t0), data, zero: scan.skipped };
}

/** The naive baseline: one block at a time, zero blocks included. */
async function naiveUpload(
  ebs: EBSClient,
  file: string,
  size: number,
): Promise<{ s: number; blocks: number }> {
  const t0 = performance.now();
  const { SnapshotId } = await ebs.send(new StartSnapshotCommand({ VolumeSize: Math.ceil(size / GiB) }));
  const fd = await open(file, 'r');
  const digests = new Map<number, Buffer>();
  for (let index = 0; index * B < size; index++) {
    const data = Buffer.alloc(B);
    await fd.read(data, 0, B, index * B);
    const digest = blockDigest(data);
    await ebs.send(
      new PutSnapshotBlockCommand({
        SnapshotId,
        BlockIndex: index,
        BlockData: data,
        DataLength: B,
        Checksum: digest.toString('base64'),
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    digests.set(index, digest);
  }
  await fd.close();
  await ebs.send(
    new CompleteSnapshotCommand({
      SnapshotId,
      ChangedBlocksCount: digests.size,
      Checksum: linearAggregate(digests),
      ChecksumAlgorithm: 'SHA256',
      ChecksumAggregationMethod: 'LINEAR',
    }),
  );
  return { s: seconds(t0), blocks: digests.size };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(process.env.BENCH_DIR ?? '/var/tmp', 'bench-upload-'));
  const sweep = (process.env.BENCH_CONCURRENCY ?? '1 4 8 16 32 64').split(/\s+/).filter(Boolean).map(Number);
  const defaultConcurrency = Number(process.env.BENCH_DEFAULT ?? 16);
  // The figures depend on what else the machine runs: print its load with them.
  const load = (): string =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`${cpus().length} CPUs, load average at start: ${load()}`);
  const moto = await startMoto();
  // Ctrl-C or a timeout: stop moto and remove the 1.7 GiB of images rather than leave them behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.allSettled([moto.stop(), rm(dir, { recursive: true, force: true })]).then(() =>
        process.exit(130),
      );
    });
  }
  try {
    const client = (endpoint: string): EBSClient =>
      new EBSClient({
        ...UPLOAD_EBS_CLIENT_CONFIG,
        endpoint,
        region: MOTO_CREDENTIALS.AWS_REGION,
        credentials: {
          accessKeyId: MOTO_CREDENTIALS.AWS_ACCESS_KEY_ID,
          secretAccessKey: MOTO_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
        },
      });
    const ebs = client(moto.endpoint);
    const big = join(dir, 'image-8g.raw');
    const small = join(dir, 'image-1g.raw');
    const t0 = performance.now();
    const bigData = await makeImage(big, 8 * GiB, 48, 32 * MiB);
    const smallData = await makeImage(small, 1 * GiB, 6, 32 * MiB);
    console.log(
      `images: 8 GiB with ${fmt(bigData / GiB, 2)} GiB data, 1 GiB with ${smallData / MiB} MiB data (${fmt(seconds(t0))} s to write)`,
    );

    // The uploader reads with O_DIRECT, which never puts holes in the page cache; a buffered first
    // read of a fresh image pays for a zeroed page-cache page per 4 KiB of hole, a warm one does not.
    const scan = await scanOnly(big, 8 * GiB, true);
    const bufferedFirst = await scanOnly(big, 8 * GiB, false);
    const bufferedWarm = await scanOnly(big, 8 * GiB, false);
    const hashAll = await readAndHashAll(big, 8 * GiB);
    // Both 1 GiB runs below read the small image warm: warm it now, outside the timings.
    await scanOnly(small, GiB, false);
    console.log(
      `8 GiB zero-skip scan: O_DIRECT ${fmt(scan.s, 2)} s (${scan.data} data blocks, ${scan.zero} zero), ` +
        `buffered first read ${fmt(bufferedFirst.s, 2)} s, buffered warm ${fmt(bufferedWarm.s, 2)} s; ` +
        `read+SHA-256 of every block (warm) ${fmt(hashAll, 2)} s`,
    );
    const results = new Map<number, { s: number; written: number; skipped: number }>();
    for (const concurrency of [...new Set([...sweep, defaultConcurrency])]) {
      await moto.reset();
      const r = await uploadImageToSnapshot({
        ebs,
        file: big,
        clientToken: `bench-${concurrency}-${Date.now()}`,
        concurrency,
      });
      results.set(concurrency, { s: r.seconds, written: r.blocksWritten, skipped: r.blocksSkipped });
      console.log(
        `8 GiB upload, concurrency ${String(concurrency).padStart(2)}: ${fmt(r.seconds)} s, ` +
          `${fmt(bigData / MiB / r.seconds)} MiB/s of data, ${r.blocksWritten} blocks written, ` +
          `${r.blocksSkipped} skipped (${fmt((100 * r.blocksSkipped) / (r.blocksSkipped + r.blocksWritten))} % zero)`,
      );
    }
    await moto.reset();
    const smallUp = await uploadImageToSnapshot({
      ebs,
      file: small,
      clientToken: `bench-small-${Date.now()}`,
      concurrency: defaultConcurrency,
    });
    await moto.reset();
    const naive = await naiveUpload(ebs, small, GiB);
    await moto.reset();
    const rtt = Number(process.env.BENCH_RTT_MS ?? 30);
    const latency = new Map<number, number>();
    if (rtt > 0) {
      const proxy = await startFaultProxy(moto.endpoint, {
        rules: [{ operation: 'PutSnapshotBlock', fault: 'delay', delayMs: rtt }],
      });
      try {
        for (const concurrency of [...new Set([...sweep, defaultConcurrency])]) {
          const r = await uploadImageToSnapshot({
            ebs: client(proxy.endpoint),
            file: small,
            clientToken: `bench-rtt-${concurrency}-${Date.now()}`,
            concurrency,
          });
          await moto.reset();
          latency.set(concurrency, r.seconds);
          console.log(
            `1 GiB upload with ${rtt} ms added per block, concurrency ${String(concurrency).padStart(2)}: ${fmt(r.seconds, 2)} s, ${fmt(smallData / MiB / r.seconds)} MiB/s of data`,
          );
        }
      } finally {
        await proxy.close();
      }
    }
    const def = results.get(defaultConcurrency)!;
    const seq = results.get(1);
    console.log(
      `1 GiB image (${smallData / MiB} MiB data): uploader ${fmt(smallUp.seconds)} s, naive sequential no-skip ${fmt(naive.s)} s (${naive.blocks} blocks)`,
    );
    console.log('');
    console.log(
      `RESULT 8 GiB, ${fmt(bigData / GiB, 2)} GiB data, concurrency ${defaultConcurrency}: ${fmt(def.s)} s, ${fmt(bigData / MiB / def.s)} MiB/s of data, ` +
        `${def.written} written / ${def.skipped} skipped (${fmt((100 * def.skipped) / (def.skipped + def.written))} % zero blocks skipped)`,
    );
    console.log(
      `RESULT naive sequential no-skip / uploader on the 1 GiB image: ${fmt(naive.s / smallUp.seconds, 2)}x`,
    );
    if (seq)
      console.log(
        `RESULT concurrency 1 / concurrency ${defaultConcurrency} on 8 GiB: ${fmt(seq.s / def.s, 2)}x`,
      );
    console.log(`RESULT uploader (8 GiB) / reading+hashing all 8 GiB: ${fmt(def.s / hashAll, 2)}x`);
    const best = [...results.entries()].sort((a, b) => a[1].s - b[1].s)[0]!;
    console.log(`RESULT fastest concurrency against moto on loopback: ${best[0]} (${fmt(best[1].s)} s)`);
    if (latency.size > 0) {
      const order = [...latency.entries()].sort((a, b) => a[0] - b[0]);
      console.log(
        `RESULT with ${rtt} ms per block, seconds by concurrency: ${order.map(([c, t]) => `${c}: ${fmt(t, 2)}`).join(', ')}`,
      );
    }
    console.log(`load average at the end: ${load()}`);
  } finally {
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
