/**
 * ec2/upload-snapshot (raw backing): the image file into a new EBS snapshot with the EBS direct APIs
 * (plugins/ec2/snapshot-upload), then a wait for `completed`. The snapshot is journaled before
 * StartSnapshot and again with its id the moment it exists, so a crash at any point leaves a line
 * `bootstrap cleanup` can act on; the undo deletes it.
 */
import { DeleteSnapshotCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  BUILD_TAG_KEY,
  BuildError,
  VOLUME,
  rawImageFile,
  stateKey,
  type TaskContext,
} from '../../../src/api/index.js';
import { DEFAULT_UPLOAD_CONCURRENCY } from '../snapshot-upload/index.js';
import { isGone } from './aws-errors.js';
import { amiName, awsFor } from './context.js';
import { pollUntil } from './poll.js';
import { ROOT_SNAPSHOT } from './state.js';
import { resourceTags } from './tags.js';

/** The snapshot this task started (set before any block is written), for the undo. */
const STARTED_SNAPSHOT = stateKey<{ key: string; snapshotId?: string } | undefined>(
  'ec2/started-snapshot',
  () => undefined,
);

const SNAPSHOT_COMPLETION_TIMEOUT_MS = 60 * 60_000;

interface UploadSettings {
  encrypted?: boolean;
  kms_key_id?: string;
  snapshot_upload?: { concurrency?: number };
}

export async function uploadRootSnapshot(ctx: TaskContext): Promise<void> {
  const p = ctx.manifest.data.provider as UploadSettings;
  const volume = ctx.state.get(VOLUME);
  const file = volume ? rawImageFile(volume) : undefined;
  const tags = resourceTags(ctx.manifest, ctx.runId);
  const description = `${amiName(ctx.manifest)} root volume`;
  const clientToken = `debian-image-bootstrap-${ctx.runId}-root`;
  const concurrency = p.snapshot_upload?.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY;
  if (!file) throw new BuildError('there is no image file to upload (base/export-image has not run)');
  const aws = await awsFor(ctx);
  const { ec2, region } = aws;
  ctx.state.set(STARTED_SNAPSHOT, { key: clientToken });
  await ctx.journal.intend({
    plugin: 'ec2',
    kind: 'snapshot',
    key: clientToken,
    ...aws.journalScope('ec2'),
    product: true,
  });
  const result = await aws.uploadImage({
    file,
    plannedBytes: volume?.sizeBytes ?? 0,
    description,
    tags,
    clientToken,
    concurrency,
    signal: ctx.signal,
    ...(p.encrypted ? { encrypted: true } : {}),
    ...(p.kms_key_id ? { kmsKeyArn: p.kms_key_id } : {}),
    onStarted: async (snapshotId) => {
      ctx.state.set(STARTED_SNAPSHOT, { key: clientToken, snapshotId });
      await ctx.journal.created(clientToken, snapshotId);
      ctx.log('info', `snapshot ${snapshotId} started in ${region}`);
    },
    onProgress: (pr) =>
      ctx.progress(
        pr.blocksWritten + pr.blocksSkipped,
        pr.blocksTotal,
        'blocks',
        `${(pr.bytesWritten / 2 ** 20).toFixed(0)} MiB in ${pr.blocksWritten} blocks written, ${pr.blocksSkipped} zero blocks skipped`,
      ),
    log: (level, message) => ctx.log(level, message),
  });
  const mibPerSecond = result.bytesWritten / 2 ** 20 / Math.max(result.seconds, 0.001);
  ctx.log(
    'info',
    `uploaded ${result.blocksWritten} blocks (${(result.bytesWritten / 2 ** 20).toFixed(0)} MiB, ` +
      `${mibPerSecond.toFixed(1)} MiB/s), skipped ${result.blocksSkipped} zero blocks, ${result.retries} retries`,
  );
  await waitForSnapshot(ec2, result.snapshotId, ctx.signal);
  ctx.state.set(ROOT_SNAPSHOT, { snapshotId: result.snapshotId, volumeSizeGiB: result.volumeSizeGiB });
  ctx.addArtifact({
    kind: 'snapshot',
    id: result.snapshotId,
    region,
    sizeBytes: result.volumeSizeGiB * 2 ** 30,
  });
}

export async function waitForSnapshot(
  ec2: EC2Client,
  snapshotId: string,
  signal: AbortSignal,
): Promise<void> {
  await pollUntil(
    async () => {
      const out = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }), {
        abortSignal: signal,
      });
      const snapshot = out.Snapshots?.[0];
      if (snapshot?.State === 'error') {
        throw new BuildError(`snapshot ${snapshotId} failed: ${snapshot.StateMessage ?? 'state error'}`);
      }
      return snapshot?.State === 'completed' ? true : undefined;
    },
    { signal, what: `snapshot ${snapshotId} to complete`, timeoutMs: SNAPSHOT_COMPLETION_TIMEOUT_MS },
  );
}

/**
 * Deletes the snapshot this task started. When StartSnapshot was sent but its answer never came (the
 * id is unknown), the snapshot is looked up by the build tag instead.
 */
export async function deleteRootSnapshot(ctx: TaskContext): Promise<void> {
  const started = ctx.state.get(STARTED_SNAPSHOT);
  if (!started) return;
  const { ec2 } = await awsFor(ctx);
  const ids = started.snapshotId
    ? [started.snapshotId]
    : ((
        await ec2.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            Filters: [{ Name: `tag:${BUILD_TAG_KEY}`, Values: [ctx.runId] }],
          }),
          { abortSignal: ctx.signal },
        )
      ).Snapshots?.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : [])) ?? []);
  for (const id of ids) {
    try {
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: id }), { abortSignal: ctx.signal });
      ctx.log('info', `deleted snapshot ${id}`);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  await ctx.journal.released(started.key);
  ctx.state.set(STARTED_SNAPSHOT, undefined);
}
