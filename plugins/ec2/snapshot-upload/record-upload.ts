/**
 * The snapshot upload of a dry run: there is no image file to read, so the recording EBS client gets
 * StartSnapshot and CompleteSnapshot with the requests the upload would send, and the block writes are
 * recorded as one summary entry (their number depends on the image's contents). The AWS clients of a
 * dry run (plugins/ec2/aws/clients.ts) hand this out in place of uploadImageToSnapshot, so the
 * ec2/upload-snapshot task runs the same code in a dry run as in a build. `record` adds the region.
 */
import { CompleteSnapshotCommand, StartSnapshotCommand } from '@aws-sdk/client-ebs';
import type { CloudCall } from '../../../src/api/index.js';
import {
  DEFAULT_UPLOAD_CONCURRENCY,
  EBS_BLOCK_SIZE,
  startSnapshotInput,
  volumeSizeFor,
  type SnapshotUploadOptions,
  type SnapshotUploadResult,
} from './index.js';

export async function recordImageUpload(
  o: SnapshotUploadOptions,
  record: (call: CloudCall) => void,
): Promise<SnapshotUploadResult> {
  const volumeSizeGiB = volumeSizeFor(o.plannedBytes ?? 0, o.volumeSizeGiB);
  const started = await o.ebs.send(new StartSnapshotCommand(startSnapshotInput(o, volumeSizeGiB)));
  const snapshotId = started.SnapshotId ?? '<snapshot>';
  await o.onStarted?.(snapshotId);
  record({
    service: 'ebs',
    operation: 'PutSnapshotBlock',
    params: {
      blocks: `each non-zero ${EBS_BLOCK_SIZE / 1024} KiB block of the image`,
      concurrency: o.concurrency ?? DEFAULT_UPLOAD_CONCURRENCY,
    },
  });
  await o.ebs.send(
    new CompleteSnapshotCommand({
      SnapshotId: snapshotId,
      ChangedBlocksCount: undefined,
      ChecksumAlgorithm: 'SHA256',
      ChecksumAggregationMethod: 'LINEAR',
    }),
  );
  return {
    snapshotId,
    blocksWritten: 0,
    blocksSkipped: 0,
    bytesWritten: 0,
    volumeSizeGiB,
    seconds: 0,
    retries: 0,
  };
}
