/**
 * base/mount-volume takes the volume attached. The EBS route sets VOLUME.device itself (without the
 * transition), so a planned volume without an image file that has a device counts as attached;
 * a file-backed volume must have gone through base/attach-loop-device.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plannedVolume, VOLUME, type Backing } from '../../../../src/api/index.js';
import { attachedVolume } from '../../../../src/base/volume/volume-resources.js';
import { testContext } from '../../../helpers/fake-context.js';

function context(backing: Backing, device?: string) {
  const ctx = testContext({});
  const volume = plannedVolume({ backing, sizeBytes: 1, partitionMap: 'none', partitions: [] });
  if (device !== undefined) volume.device = device;
  ctx.state.set(VOLUME, volume);
  return { ctx, volume };
}

test('an EBS volume whose device the provider set is attached', () => {
  const { ctx, volume } = context('ebs', '/dev/nvme1n1');
  assert.equal(attachedVolume(ctx), volume);
  assert.deepEqual([volume.state, volume.device], ['attached', '/dev/nvme1n1']);
});

test('without a device, or for a file backing, nothing is assumed', () => {
  const ebs = context('ebs');
  attachedVolume(ebs.ctx);
  assert.equal(ebs.volume.state, 'planned');
  const raw = context('raw', '/dev/loop0');
  attachedVolume(raw.ctx);
  assert.equal(raw.volume.state, 'planned');
});
