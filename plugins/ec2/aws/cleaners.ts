/**
 * What `bootstrap cleanup` deletes for the ec2 plugin, in this order: AMIs (deregistered first, since
 * a snapshot an AMI uses cannot be deleted), then snapshots, then volumes. Each kind is also found by
 * the build tag, so a resource whose id never reached the journal (SIGKILL during the create call) is
 * still removed. Credentials come from the environment or the profile, as for a build.
 *
 * moto's StartSnapshot also creates an EC2 volume (aws.md section 5); AWS does not, and that volume has
 * no build tag, so cleanup does not touch it (the integration tests account for it).
 */
import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { BUILD_TAG_KEY, type CleanupScope, type CloudCleaner } from '../../../src/api/index.js';
import { deleteVolume } from '../ebs-host/volume-api.js';
import { isGone } from './aws-errors.js';
import { cleanupClients, closeCleanupClients } from './cleanup-clients.js';

function ec2For(scope: CleanupScope): Promise<EC2Client> {
  return cleanupClients(scope, 'ec2').then((c) => c.ec2);
}

/** Closes the cleaners' connections (the cleanup command calls it at the end). */
export const closeCleanerClients = closeCleanupClients;

const byRunTag = (runId: string) => [{ Name: `tag:${BUILD_TAG_KEY}`, Values: [runId] }];

async function removeWith(send: () => Promise<unknown>): Promise<'deleted' | 'absent'> {
  try {
    await send();
    return 'deleted';
  } catch (error) {
    if (isGone(error)) return 'absent';
    throw error;
  }
}

export const imageCleaner: CloudCleaner = {
  dispose: closeCleanerClients,
  kind: 'image',
  async findTagged(scope) {
    const ec2 = await ec2For(scope);
    const out = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: byRunTag(scope.runId) }),
    );
    return out.Images?.flatMap((i) => (i.ImageId ? [i.ImageId] : [])) ?? [];
  },
  async remove(id, scope) {
    const ec2 = await ec2For(scope);
    // DescribeImages first: a second DeregisterImage is an error, not a no-op.
    const found = await ec2.send(new DescribeImagesCommand({ ImageIds: [id] })).catch((e: unknown) => {
      if (isGone(e)) return { Images: [] };
      throw e;
    });
    if (!found.Images?.length) return 'absent';
    return removeWith(() => ec2.send(new DeregisterImageCommand({ ImageId: id })));
  },
};

export const snapshotCleaner: CloudCleaner = {
  dispose: closeCleanerClients,
  kind: 'snapshot',
  async findTagged(scope) {
    const ec2 = await ec2For(scope);
    const out = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: byRunTag(scope.runId) }),
    );
    return out.Snapshots?.flatMap((s) => (s.SnapshotId ? [s.SnapshotId] : [])) ?? [];
  },
  async remove(id, scope) {
    const ec2 = await ec2For(scope);
    return removeWith(() => ec2.send(new DeleteSnapshotCommand({ SnapshotId: id })));
  },
};

export const volumeCleaner: CloudCleaner = {
  dispose: closeCleanerClients,
  kind: 'volume',
  async findTagged(scope) {
    const ec2 = await ec2For(scope);
    const out = await ec2.send(new DescribeVolumesCommand({ Filters: byRunTag(scope.runId) }));
    return out.Volumes?.flatMap((v) => (v.VolumeId ? [v.VolumeId] : [])) ?? [];
  },
  async remove(id, scope) {
    const ec2 = await ec2For(scope);
    // A killed EBS-backed build leaves its volume attached to the build instance: detach it first
    // (DeleteVolume refuses an in-use volume), then delete.
    return deleteVolume(ec2, id, new AbortController().signal);
  },
};

export const EC2_CLEANERS: readonly CloudCleaner[] = [imageCleaner, snapshotCleaner, volumeCleaner];
