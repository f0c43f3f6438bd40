/**
 * Writes a local image file into a new EBS snapshot with the EBS direct APIs, as awslabs/coldsnap
 * does: StartSnapshot, PutSnapshotBlock for every non-zero 512 KiB block (bounded concurrency,
 * retries with backoff), CompleteSnapshot with the LINEAR aggregate checksum. Waiting for the
 * snapshot to reach `completed`, registration and rollback (deleting the snapshot) are the caller's:
 * `onStarted` hands over the snapshot id before any block is written.
 *
 * Pass an EBSClient made with `UPLOAD_EBS_CLIENT_CONFIG` (SDK retries off): this module retries each
 * call itself, with a timeout per attempt, and the two layers would otherwise multiply.
 */
import { stat } from 'node:fs/promises';
import {
  CompleteSnapshotCommand,
  PutSnapshotBlockCommand,
  StartSnapshotCommand,
  type EBSClient,
  type StartSnapshotCommandInput,
} from '@aws-sdk/client-ebs';
import { EBS_BLOCK_SIZE, scanBlocks } from './blocks.js';
import { blockDigest, linearAggregate } from './checksum.js';
import { withRetries, type RetryOptions } from './retry.js';

export { EBS_BLOCK_SIZE } from './blocks.js';

export interface SnapshotUploadProgress {
  bytesWritten: number;
  blocksWritten: number;
  blocksSkipped: number;
  blocksTotal: number;
}

export interface SnapshotUploadOptions {
  ebs: EBSClient;
  file: string;
  /** Default: the file size rounded up to whole GiB (at least 1). */
  volumeSizeGiB?: number;
  description?: string;
  tags?: Record<string, string>;
  encrypted?: boolean;
  kmsKeyArn?: string;
  /** Idempotency token for StartSnapshot (at most 64 ASCII characters). */
  clientToken: string;
  /** Blocks in flight at once (default DEFAULT_UPLOAD_CONCURRENCY). */
  concurrency?: number;
  /** StartSnapshot Timeout: AWS cancels the snapshot if no block arrives, or no completion after the last one. */
  timeoutMinutes?: number;
  signal?: AbortSignal;
  /** Right after StartSnapshot, before any block: record the snapshot for rollback. */
  onStarted?: (snapshotId: string) => Promise<void> | void;
  onProgress?: (p: SnapshotUploadProgress) => void;
  log?: (level: 'debug' | 'info' | 'warn', message: string) => void;
  /**
   * The image's size as planned, for the dry run's stand-in (record-upload.ts), which has no file to
   * measure; the upload itself measures the file.
   */
  plannedBytes?: number;
  /** Per-attempt timeout of one API call, seconds (default 30). */
  attemptTimeoutSeconds?: number;
  /** Attempts per call for transient errors (default 10, within ~2 minutes). */
  maxAttempts?: number;
}

export interface SnapshotUploadResult {
  snapshotId: string;
  blocksWritten: number;
  blocksSkipped: number;
  bytesWritten: number;
  volumeSizeGiB: number;
  seconds: number;
  /** Calls retried after a transient error (throttling, 5xx, network, timeout, the start race). */
  retries: number;
}

/** Measured against moto on loopback by scripts/bench-upload.sh (see README "Speed, measured"). */
export const DEFAULT_UPLOAD_CONCURRENCY = 16;
/** Give `new EBSClient({ ...UPLOAD_EBS_CLIENT_CONFIG, ... })`: retries belong to the uploader. */
export const UPLOAD_EBS_CLIENT_CONFIG = { maxAttempts: 1 } as const;

const GiB = 1024 ** 3;
const MAX_VOLUME_GIB = 65536;
/** coldsnap issue #43: the EBS team's advice is to retry the start race for about 2 minutes. */
const START_RACE_MS = 120_000;

export function volumeSizeFor(fileSize: number, requested?: number): number {
  const needed = Math.max(1, Math.ceil(fileSize / GiB));
  const size = requested ?? needed;
  if (!Number.isInteger(size) || size < needed) {
    throw new Error(`snapshot size ${size} GiB is smaller than the image (${needed} GiB needed)`);
  }
  if (size > MAX_VOLUME_GIB)
    throw new Error(`snapshot size ${size} GiB exceeds the EBS maximum of ${MAX_VOLUME_GIB} GiB`);
  return size;
}

/** StartSnapshot's request for these options (the dry run's stand-in sends the same). */
export function startSnapshotInput(
  o: SnapshotUploadOptions,
  volumeSizeGiB: number,
): StartSnapshotCommandInput {
  return {
    VolumeSize: volumeSizeGiB,
    ClientToken: o.clientToken,
    Timeout: o.timeoutMinutes ?? 10,
    Description: o.description,
    Encrypted: o.encrypted,
    KmsKeyArn: o.kmsKeyArn,
    Tags: o.tags ? Object.entries(o.tags).map(([Key, Value]) => ({ Key, Value })) : undefined,
  };
}

export async function uploadImageToSnapshot(o: SnapshotUploadOptions): Promise<SnapshotUploadResult> {
  const t0 = performance.now();
  const log = o.log ?? (() => undefined);
  const fileSize = (await stat(o.file)).size;
  const volumeSizeGiB = volumeSizeFor(fileSize, o.volumeSizeGiB);
  const concurrency = o.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`concurrency must be a positive integer, not ${concurrency}`);
  if ((await o.ebs.config.maxAttempts()) > 1) {
    log('warn', 'the EBS client retries by itself too (maxAttempts > 1): pass UPLOAD_EBS_CLIENT_CONFIG');
  }
  let retries = 0;
  const retryOptions = (what: string, signal: AbortSignal | undefined, raceUntil: number): RetryOptions => ({
    what,
    signal,
    attemptTimeoutMs: (o.attemptTimeoutSeconds ?? 30) * 1000,
    maxAttempts: o.maxAttempts ?? 10,
    budgetMs: START_RACE_MS,
    raceUntil,
    log,
    onRetry: () => retries++,
  });

  const started = await withRetries(
    (signal) =>
      o.ebs.send(new StartSnapshotCommand(startSnapshotInput(o, volumeSizeGiB)), { abortSignal: signal }),
    retryOptions('StartSnapshot', o.signal, 0),
  );
  const snapshotId = started.SnapshotId;
  if (!snapshotId) throw new Error('StartSnapshot returned no SnapshotId');
  const raceUntil = Date.now() + START_RACE_MS;
  log('info', `snapshot ${snapshotId} started (${volumeSizeGiB} GiB, ${concurrency} blocks in flight)`);
  await o.onStarted?.(snapshotId);

  const progress: SnapshotUploadProgress = {
    bytesWritten: 0,
    blocksWritten: 0,
    blocksSkipped: 0,
    blocksTotal: 0,
  };
  const scan = scanBlocks(o.file, fileSize, () => {
    progress.blocksSkipped++;
    o.onProgress?.({ ...progress });
  });
  progress.blocksTotal = scan.blocksTotal;
  const digests = new Map<number, Buffer>();
  // The first failure stops every worker: in-flight puts are aborted, none are started.
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;

  const worker = async (): Promise<void> => {
    while (!signal.aborted) {
      const next = await scan.blocks.next();
      if (next.done) return;
      const { index, data } = next.value;
      const digest = blockDigest(data);
      await withRetries(
        (attemptSignal) =>
          o.ebs.send(
            new PutSnapshotBlockCommand({
              SnapshotId: snapshotId,
              BlockIndex: index,
              BlockData: data,
              DataLength: EBS_BLOCK_SIZE,
              Checksum: digest.toString('base64'),
              ChecksumAlgorithm: 'SHA256',
            }),
            { abortSignal: attemptSignal },
          ),
        retryOptions(`PutSnapshotBlock ${index}`, signal, raceUntil),
      );
      digests.set(index, digest);
      progress.blocksWritten++;
      progress.bytesWritten += EBS_BLOCK_SIZE;
      o.onProgress?.({ ...progress });
    }
  };

  let failure: unknown;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, Math.max(1, scan.blocksTotal)) }, () =>
      worker().catch((err: unknown) => {
        // Keep the first cause, not the aborts it triggers in the other workers.
        failure ??= err;
        stop.abort(err);
      }),
    ),
  );
  // Closes the file if a failure stopped the scan early.
  await scan.blocks.return();
  if (failure !== undefined) throw o.signal?.aborted ? (o.signal.reason ?? failure) : failure;
  if (o.signal?.aborted) throw o.signal.reason;

  await withRetries(
    (attemptSignal) =>
      o.ebs.send(
        new CompleteSnapshotCommand({
          SnapshotId: snapshotId,
          ChangedBlocksCount: progress.blocksWritten,
          Checksum: linearAggregate(digests),
          ChecksumAlgorithm: 'SHA256',
          ChecksumAggregationMethod: 'LINEAR',
        }),
        { abortSignal: attemptSignal },
      ),
    retryOptions('CompleteSnapshot', o.signal, raceUntil),
  );
  const seconds = (performance.now() - t0) / 1000;
  log(
    'info',
    `snapshot ${snapshotId}: ${progress.blocksWritten} blocks written, ${progress.blocksSkipped} zero blocks skipped, ` +
      `${seconds.toFixed(1)} s, ${retries} retries`,
  );
  return {
    snapshotId,
    blocksWritten: progress.blocksWritten,
    blocksSkipped: progress.blocksSkipped,
    bytesWritten: progress.bytesWritten,
    volumeSizeGiB,
    seconds,
    retries,
  };
}
