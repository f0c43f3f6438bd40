/**
 * The EBS route's task bodies (bootstrap-vz's ebs volume on the build instance): identity from IMDS,
 * CreateVolume in the instance's zone, AttachVolume under a device-name lock and discovery of the
 * block device, which is handed to the base volume tasks as VOLUME.device; after unmounting,
 * DetachVolume, CreateSnapshot (the AMI's root, ROOT_SNAPSHOT for ec2/register-image) and
 * DeleteVolume. The volume and snapshot are journaled before each create call; every undo is
 * idempotent.
 */
import {
  BuildError,
  VOLUME,
  rollBackAttach,
  volumeAttached,
  volumeDetached,
  type TaskContext,
} from '../../../src/api/index.js';
import { amiName, awsFor } from '../aws/context.js';
import { AWS_REGION_HINT, ROOT_SNAPSHOT } from '../aws/state.js';
import { resourceTags } from '../aws/tags.js';
import { waitForSnapshot } from '../aws/upload-snapshot.js';
import { BUILD_INSTANCE_HOST } from './build-instance.js';
import { BUILD_INSTANCE, BUILD_VOLUME, VOLUME_SNAPSHOT, type BuildVolume } from './state.js';
import * as api from './volume-api.js';

const GiB = 2 ** 30;

interface EbsSettings {
  encrypted?: boolean;
  kms_key_id?: string;
}

function buildInstance(ctx: TaskContext) {
  const instance = ctx.state.get(BUILD_INSTANCE);
  if (!instance)
    throw new BuildError('the build instance is unknown (ec2/get-instance-identity did not run)');
  return instance;
}

export async function readInstanceIdentity(ctx: TaskContext): Promise<void> {
  const identity = await (await ctx.cloud(BUILD_INSTANCE_HOST)).identity(ctx.signal);
  ctx.state.set(BUILD_INSTANCE, identity);
  // The volume can only attach to an instance in its own zone, so AWS calls go to this region.
  ctx.state.set(AWS_REGION_HINT, identity.region);
  ctx.log('info', `building on ${identity.instanceId} in ${identity.availabilityZone}`);
}

export async function createBuildVolume(ctx: TaskContext): Promise<void> {
  const planned = ctx.state.get(VOLUME);
  if (!planned) throw new BuildError('the volume layout has not been planned (base/plan-volume did not run)');
  const p = ctx.manifest.data.provider as EbsSettings;
  const sizeGiB = Math.max(1, Math.ceil(planned.sizeBytes / GiB));
  const key = `debian-image-bootstrap-${ctx.runId}-volume`;
  const tags = resourceTags(ctx.manifest, ctx.runId);
  const instance = buildInstance(ctx);
  const { ec2, journalScope } = await awsFor(ctx);
  const volume: BuildVolume = { key, sizeGiB };
  ctx.state.set(BUILD_VOLUME, volume);
  await ctx.journal.intend({ plugin: 'ec2', kind: 'volume', key, ...journalScope('ec2') });
  volume.volumeId = await api.createVolume(ec2, {
    availabilityZone: instance.availabilityZone,
    sizeGiB,
    encrypted: p.encrypted ?? false,
    ...(p.kms_key_id ? { kmsKeyId: p.kms_key_id } : {}),
    tags,
    clientToken: key,
  });
  await ctx.journal.created(key, volume.volumeId);
  ctx.signal.throwIfAborted();
  ctx.log('info', `created ${sizeGiB} GiB gp3 volume ${volume.volumeId} in ${instance.availabilityZone}`);
  await api.waitVolumeAvailable(ec2, volume.volumeId, ctx.signal);
}

/** Undo of create-volume, and the cleaning step: detach if needed, delete, close the journal entry. */
export async function deleteBuildVolume(ctx: TaskContext): Promise<void> {
  const volume = ctx.state.get(BUILD_VOLUME);
  if (!volume) return;
  const { ec2 } = await awsFor(ctx);
  // Without an id (CreateVolume failed, or its answer was lost) look for the volume by build tag.
  const ids = volume.volumeId ? [volume.volumeId] : await api.volumesOfRun(ec2, ctx.runId, ctx.signal);
  for (const id of ids) {
    const result = await api.deleteVolume(ec2, id, ctx.signal);
    ctx.log('info', `${result === 'deleted' ? 'deleted' : 'already gone:'} volume ${id}`);
  }
  await volume.lock?.release();
  await ctx.journal.released(volume.key);
  ctx.state.set(BUILD_VOLUME, undefined);
}

function buildVolume(ctx: TaskContext): BuildVolume & { volumeId: string } {
  const volume = ctx.state.get(BUILD_VOLUME);
  if (!volume?.volumeId) throw new BuildError('there is no build volume (ec2/create-volume did not run)');
  return volume as BuildVolume & { volumeId: string };
}

export async function attachBuildVolume(ctx: TaskContext): Promise<void> {
  const volume = buildVolume(ctx);
  const instance = buildInstance(ctx);
  const { ec2 } = await awsFor(ctx);
  const host = await ctx.cloud(BUILD_INSTANCE_HOST);
  const mapped = await api.mappedDeviceNames(ec2, instance.instanceId, ctx.signal);
  volume.lock = await host.allocateDeviceName(mapped);
  volume.attachedAs = `/dev/${volume.lock.name}`;
  await api.attachVolume(
    ec2,
    { volumeId: volume.volumeId, instanceId: instance.instanceId, device: volume.attachedAs },
    ctx.signal,
  );
  volume.device = await host.waitForDevice(volume.volumeId, volume.attachedAs, ctx.signal);
  const planned = ctx.state.get(VOLUME);
  if (!planned) throw new BuildError('the volume layout has not been planned (base/plan-volume did not run)');
  volumeAttached(planned, volume.device);
  ctx.log('info', `${volume.volumeId} attached as ${volume.attachedAs}: ${volume.device}`);
}

/** ec2/detach-volume, after base/unmount-volume: the volume record goes from attached to detached. */
export async function detachBuildVolume(ctx: TaskContext): Promise<void> {
  await detach(ctx);
  const planned = ctx.state.get(VOLUME);
  if (planned) volumeDetached(planned);
}

/** Undo of ec2/attach-volume: detach whatever was attached; the record goes back to detached. */
export async function undoAttachBuildVolume(ctx: TaskContext): Promise<void> {
  await detach(ctx);
  const planned = ctx.state.get(VOLUME);
  if (planned) rollBackAttach(planned);
}

/** Detach, wait until available, free the device name. */
async function detach(ctx: TaskContext): Promise<void> {
  const volume = ctx.state.get(BUILD_VOLUME);
  if (!volume?.volumeId) return;
  const { ec2 } = await awsFor(ctx);
  const result = await api.detachVolume(ec2, volume.volumeId, ctx.signal);
  if (result === 'detached') ctx.log('info', `detached ${volume.volumeId}`);
  await volume.lock?.release();
  delete volume.lock;
  delete volume.device;
}

export async function snapshotBuildVolume(ctx: TaskContext): Promise<void> {
  const key = `debian-image-bootstrap-${ctx.runId}-root`;
  const tags = resourceTags(ctx.manifest, ctx.runId);
  const description = `${amiName(ctx.manifest)} root volume`;
  const volume = buildVolume(ctx);
  const { ec2, region, journalScope } = await awsFor(ctx);
  ctx.state.set(VOLUME_SNAPSHOT, { key });
  await ctx.journal.intend({ plugin: 'ec2', kind: 'snapshot', key, ...journalScope('ec2'), product: true });
  const snapshotId = await api.createSnapshot(ec2, { volumeId: volume.volumeId, description, tags });
  ctx.state.set(VOLUME_SNAPSHOT, { key, snapshotId });
  await ctx.journal.created(key, snapshotId);
  ctx.signal.throwIfAborted();
  ctx.log('info', `snapshot ${snapshotId} of ${volume.volumeId} started`);
  await waitForSnapshot(ec2, snapshotId, ctx.signal);
  ctx.state.set(ROOT_SNAPSHOT, { snapshotId, volumeSizeGiB: volume.sizeGiB });
  ctx.addArtifact({ kind: 'snapshot', id: snapshotId, region, sizeBytes: volume.sizeGiB * GiB });
}

export async function deleteVolumeSnapshot(ctx: TaskContext): Promise<void> {
  const started = ctx.state.get(VOLUME_SNAPSHOT);
  if (!started) return;
  const { ec2 } = await awsFor(ctx);
  // Without an id (CreateSnapshot was sent, its answer never came) look the snapshot up by build tag.
  const volumeId = ctx.state.get(BUILD_VOLUME)?.volumeId;
  const ids = started.snapshotId
    ? [started.snapshotId]
    : volumeId
      ? await api.snapshotsOfRun(ec2, ctx.runId, volumeId, ctx.signal)
      : [];
  for (const id of ids) {
    await api.deleteSnapshot(ec2, id, ctx.signal);
    ctx.log('info', `deleted snapshot ${id}`);
  }
  await ctx.journal.released(started.key);
  ctx.state.set(VOLUME_SNAPSHOT, undefined);
}
