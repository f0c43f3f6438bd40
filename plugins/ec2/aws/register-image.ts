/**
 * ec2/register-image: RegisterImage from the root snapshot (raw and EBS backings) or the S3 bundle
 * (s3 backing), wait until the AMI is available, tag the snapshot like the AMI. Journaled like the
 * snapshot; the undo deregisters the AMI.
 */
import {
  CreateTagsCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { BUILD_TAG_KEY, BuildError, stateKey, type TaskContext } from '../../../src/api/index.js';
import { isGone } from './aws-errors.js';
import { amiName, awsFor } from './context.js';
import { pollUntil } from './poll.js';
import { registerImageInput } from './register-input.js';
import { IMAGE_LOCATION, REGISTERED_IMAGE, ROOT_SNAPSHOT } from './state.js';
import { resourceTags } from './tags.js';

const STARTED_IMAGE = stateKey<{ key: string; imageId?: string } | undefined>(
  'ec2/started-image',
  () => undefined,
);
const IMAGE_AVAILABLE_TIMEOUT_MS = 30 * 60_000;

export async function registerRootImage(ctx: TaskContext): Promise<void> {
  const tags = resourceTags(ctx.manifest, ctx.runId);
  const snapshot = ctx.state.get(ROOT_SNAPSHOT);
  const imageLocation = ctx.state.get(IMAGE_LOCATION);
  const input = registerImageInput(
    ctx.manifest,
    { ...(snapshot ? { snapshot } : {}), ...(imageLocation ? { imageLocation } : {}) },
    tags,
  );
  const { ec2, region, journalScope } = await awsFor(ctx);
  const key = `debian-image-bootstrap-${ctx.runId}-image`;
  ctx.state.set(STARTED_IMAGE, { key });
  await ctx.journal.intend({
    plugin: 'ec2',
    kind: 'image',
    key,
    ...journalScope('ec2'),
    product: true,
    ...(snapshot ? { detail: { snapshot: snapshot.snapshotId } } : {}),
  });
  const out = await ec2.send(new RegisterImageCommand(input), { abortSignal: ctx.signal });
  const imageId = out.ImageId;
  if (!imageId) throw new BuildError('RegisterImage returned no image id');
  ctx.state.set(STARTED_IMAGE, { key, imageId });
  await ctx.journal.created(key, imageId);
  ctx.log('info', `registered ${imageId} (${input.Name ?? ''}) in ${region}`);

  await pollUntil(
    async () => {
      const d = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }), {
        abortSignal: ctx.signal,
      });
      const state = d.Images?.[0]?.State;
      if (state === 'failed' || state === 'error') {
        throw new BuildError(`AMI ${imageId} is ${state}: ${d.Images?.[0]?.StateReason?.Message ?? ''}`);
      }
      return state === 'available' ? true : undefined;
    },
    { signal: ctx.signal, what: `AMI ${imageId} to become available`, timeoutMs: IMAGE_AVAILABLE_TIMEOUT_MS },
  );
  if (snapshot) {
    // RegisterImage tags only the image; the snapshot gets the same tags so it is found and billed alike.
    await ec2.send(
      new CreateTagsCommand({
        Resources: [snapshot.snapshotId],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
      { abortSignal: ctx.signal },
    );
  }
  ctx.state.set(REGISTERED_IMAGE, {
    imageId,
    region,
    name: input.Name ?? '',
    ...(snapshot ? { snapshotId: snapshot.snapshotId } : {}),
  });
  ctx.addArtifact({ kind: 'ami', id: imageId, region, name: input.Name ?? '' });
}

/** Deregisters the AMI (found by the build tag when RegisterImage's answer was lost). */
export async function deregisterRootImage(ctx: TaskContext): Promise<void> {
  const started = ctx.state.get(STARTED_IMAGE);
  if (!started) return;
  const { ec2 } = await awsFor(ctx);
  // By name as well as by tag: ec2/check-ami-name made sure no AMI had this name before the build,
  // and some EC2-compatible endpoints (moto) drop RegisterImage's TagSpecifications.
  const lookup = async (filter: { Name: string; Values: string[] }) =>
    (
      await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [filter] }), {
        abortSignal: ctx.signal,
      })
    ).Images?.flatMap((i) => (i.ImageId ? [i.ImageId] : [])) ?? [];
  const ids = started.imageId
    ? [started.imageId]
    : [
        ...new Set([
          ...(await lookup({ Name: `tag:${BUILD_TAG_KEY}`, Values: [ctx.runId] })),
          ...(await lookup({ Name: 'name', Values: [amiName(ctx.manifest)] })),
        ]),
      ];
  for (const id of ids) {
    try {
      await ec2.send(new DeregisterImageCommand({ ImageId: id }), { abortSignal: ctx.signal });
      ctx.log('info', `deregistered ${id}`);
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }
  await ctx.journal.released(started.key);
  ctx.state.set(STARTED_IMAGE, undefined);
  ctx.state.set(REGISTERED_IMAGE, undefined);
}
