/**
 * The EC2 calls of the EBS route, each followed by the wait for the state it leads to. Deletes and
 * detaches treat "already gone / already detached" as done, so every undo can call them whatever
 * happened before (a failed attach, a volume detached by hand, a second rollback).
 */
import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  DetachVolumeCommand,
  type EC2Client,
  type Volume,
} from '@aws-sdk/client-ec2';
import { BUILD_TAG_KEY, BuildError } from '../../../src/api/index.js';
import { isGone } from '../aws/aws-errors.js';
import { pollUntil } from '../aws/poll.js';
import { tagSpecification } from '../aws/tags.js';

/** Volume state changes take seconds on EC2; snapshots of a few GiB take minutes. */
const VOLUME_STATE_TIMEOUT_MS = 5 * 60_000;
const FAST = { initialDelayMs: 1000, maxDelayMs: 5000 };

function errorCode(error: unknown): string {
  return error instanceof Error ? ((error as { Code?: string }).Code ?? error.name) : '';
}

export interface CreateVolumeInput {
  readonly availabilityZone: string;
  readonly sizeGiB: number;
  readonly encrypted: boolean;
  readonly kmsKeyId?: string;
  readonly tags: Record<string, string>;
  readonly clientToken: string;
}

/**
 * Not aborted by an interrupt: an aborted request may still create the volume, and then its id would
 * be unknown to the undo. The call is short; the interrupt takes effect right after it.
 */
export async function createVolume(ec2: EC2Client, input: CreateVolumeInput): Promise<string> {
  const out = await ec2.send(
    new CreateVolumeCommand({
      AvailabilityZone: input.availabilityZone,
      Size: input.sizeGiB,
      VolumeType: 'gp3',
      Encrypted: input.encrypted,
      ...(input.kmsKeyId ? { KmsKeyId: input.kmsKeyId } : {}),
      TagSpecifications: [tagSpecification('volume', input.tags)],
      ClientToken: input.clientToken,
    }),
  );
  if (!out.VolumeId) throw new BuildError('CreateVolume returned no volume id');
  return out.VolumeId;
}

async function describeVolume(
  ec2: EC2Client,
  volumeId: string,
  signal: AbortSignal,
): Promise<Volume | undefined> {
  try {
    const out = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }), {
      abortSignal: signal,
    });
    return out.Volumes?.[0];
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

export async function waitVolumeAvailable(
  ec2: EC2Client,
  volumeId: string,
  signal: AbortSignal,
): Promise<void> {
  await pollUntil(
    async () => {
      const v = await describeVolume(ec2, volumeId, signal);
      if (!v) throw new BuildError(`volume ${volumeId} disappeared`);
      if (v.State === 'error') throw new BuildError(`volume ${volumeId} is in state error`);
      return v.State === 'available' ? true : undefined;
    },
    { signal, what: `volume ${volumeId} to be available`, timeoutMs: VOLUME_STATE_TIMEOUT_MS, ...FAST },
  );
}

/** Device names in the instance's block device mappings (the root, other attached volumes). */
export async function mappedDeviceNames(
  ec2: EC2Client,
  instanceId: string,
  signal: AbortSignal,
): Promise<string[]> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }), {
    abortSignal: signal,
  });
  const instance = out.Reservations?.[0]?.Instances?.[0];
  if (!instance)
    throw new BuildError(`the build instance ${instanceId} is not visible with these credentials`);
  return instance.BlockDeviceMappings?.flatMap((m) => (m.DeviceName ? [m.DeviceName] : [])) ?? [];
}

export async function attachVolume(
  ec2: EC2Client,
  input: { volumeId: string; instanceId: string; device: string },
  signal: AbortSignal,
): Promise<void> {
  await ec2.send(
    new AttachVolumeCommand({ VolumeId: input.volumeId, InstanceId: input.instanceId, Device: input.device }),
    { abortSignal: signal },
  );
  await pollUntil(
    async () => {
      const v = await describeVolume(ec2, input.volumeId, signal);
      const a = v?.Attachments?.find((x) => x.InstanceId === input.instanceId);
      return a?.State === 'attached' ? true : undefined;
    },
    { signal, what: `volume ${input.volumeId} to attach`, timeoutMs: VOLUME_STATE_TIMEOUT_MS, ...FAST },
  );
}

/** Detaches the volume if it is attached anywhere and waits until it is available; no-op otherwise. */
export async function detachVolume(
  ec2: EC2Client,
  volumeId: string,
  signal: AbortSignal,
): Promise<'detached' | 'not-attached' | 'absent'> {
  const v = await describeVolume(ec2, volumeId, signal);
  if (!v) return 'absent';
  const attachment = v.Attachments?.find((a) => a.State === 'attached' || a.State === 'attaching');
  if (!attachment) {
    if (v.State !== 'available') await waitVolumeAvailable(ec2, volumeId, signal);
    return 'not-attached';
  }
  try {
    // InstanceId and Device are optional for EC2 but moto needs them.
    await ec2.send(
      new DetachVolumeCommand({
        VolumeId: volumeId,
        ...(attachment.InstanceId ? { InstanceId: attachment.InstanceId } : {}),
        ...(attachment.Device ? { Device: attachment.Device } : {}),
      }),
      { abortSignal: signal },
    );
  } catch (error) {
    // Detached meanwhile: the wait below settles it.
    if (!['IncorrectState', 'InvalidAttachment.NotFound'].includes(errorCode(error))) throw error;
  }
  await waitVolumeAvailable(ec2, volumeId, signal);
  return 'detached';
}

/** Detaches (if needed) and deletes; 'absent' when the volume was already gone. */
export async function deleteVolume(
  ec2: EC2Client,
  volumeId: string,
  signal: AbortSignal,
): Promise<'deleted' | 'absent'> {
  if ((await detachVolume(ec2, volumeId, signal)) === 'absent') return 'absent';
  try {
    await ec2.send(new DeleteVolumeCommand({ VolumeId: volumeId }), { abortSignal: signal });
    return 'deleted';
  } catch (error) {
    if (isGone(error)) return 'absent';
    throw error;
  }
}

/** Not aborted by an interrupt, for the same reason as createVolume. */
export async function createSnapshot(
  ec2: EC2Client,
  input: { volumeId: string; description: string; tags: Record<string, string> },
): Promise<string> {
  const out = await ec2.send(
    new CreateSnapshotCommand({
      VolumeId: input.volumeId,
      Description: input.description,
      TagSpecifications: [tagSpecification('snapshot', input.tags)],
    }),
  );
  if (!out.SnapshotId) throw new BuildError('CreateSnapshot returned no snapshot id');
  return out.SnapshotId;
}

/** Volumes carrying this run's build tag (for an undo that never learned the id). */
export async function volumesOfRun(ec2: EC2Client, runId: string, signal: AbortSignal): Promise<string[]> {
  const out = await ec2.send(
    new DescribeVolumesCommand({ Filters: [{ Name: `tag:${BUILD_TAG_KEY}`, Values: [runId] }] }),
    { abortSignal: signal },
  );
  return out.Volumes?.flatMap((v) => (v.VolumeId ? [v.VolumeId] : [])) ?? [];
}

/** Snapshots of `volumeId` carrying this run's build tag. */
export async function snapshotsOfRun(
  ec2: EC2Client,
  runId: string,
  volumeId: string,
  signal: AbortSignal,
): Promise<string[]> {
  const out = await ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${BUILD_TAG_KEY}`, Values: [runId] },
        { Name: 'volume-id', Values: [volumeId] },
      ],
    }),
    { abortSignal: signal },
  );
  return out.Snapshots?.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : [])) ?? [];
}

export async function deleteSnapshot(
  ec2: EC2Client,
  snapshotId: string,
  signal: AbortSignal,
): Promise<'deleted' | 'absent'> {
  try {
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }), { abortSignal: signal });
    return 'deleted';
  } catch (error) {
    if (isGone(error)) return 'absent';
    throw error;
  }
}
