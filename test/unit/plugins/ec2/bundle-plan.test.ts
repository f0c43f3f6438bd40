/**
 * How an S3 (instance-store) manifest plans: bootstrap-vz's own s3 example loads unchanged, its plan
 * has the real ec2/bundle-image before ec2/register-image, and the PV-GRUB step is planned but
 * unavailable with the reason, which is what makes `bootstrap build` refuse it before any work. And the
 * task's dry run.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePlan } from '../../../../src/core/make-plan.js';
import { loadManifest } from '../../../../src/manifest/load-manifest.js';
import { builtinRegistry } from '../../../../src/registry/lazy-registry.js';
import type { CloudCall, ManifestData } from '../../../../src/api/index.js';
import { IMAGE_LOCATION } from '../../../../plugins/ec2/aws/state.js';
import { bundleImage } from '../../../../plugins/ec2/bundle/bundle-image-task.js';
import { baseManifestData, testContext, testManifest } from '../../../helpers/fake-context.js';

const S3_EXAMPLE = 'test/fixtures/bootstrap-vz/manifests/examples/ec2/s3-wheezy-amd64-pvm.yml';

describe('S3 backing plan', () => {
  it('bundles before registering, and refuses only the untestable PV-GRUB step', async () => {
    const r = await loadManifest(S3_EXAMPLE, {
      registry: builtinRegistry(),
      now: new Date('2026-11-23T12:00:00Z'),
      set: ['system.release=bookworm'],
    });
    assert.deepEqual(r.errors, []);
    assert.ok(r.manifest);
    const ids = makePlan(r.manifest).plan.tasks.map((t) => t.task);
    const bundle = ids.find((t) => t.id === 'ec2/bundle-image');
    const register = ids.findIndex((t) => t.id === 'ec2/register-image');
    assert.ok(bundle && bundle.unavailable === undefined, 'ec2/bundle-image is implemented');
    assert.ok(ids.indexOf(bundle) < register, 'bundle before register');
    assert.ok(!ids.some((t) => t.id === 'ec2/upload-snapshot'), 'no snapshot route for s3');
    const unavailable = ids.filter((t) => t.unavailable !== undefined);
    assert.deepEqual(
      unavailable.map((t) => t.id),
      ['ec2/configure-pvgrub'],
    );
    assert.match(unavailable[0]?.unavailable ?? '', /Xen/);
    assert.match(unavailable[0]?.unavailable ?? '', /virtualization hvm/);
  });
});

describe('ec2/bundle-image in a dry run', () => {
  it('records the PUTs and the location without bundling or connecting', async () => {
    const ctx = testContext({
      manifest: testManifest({
        ...baseManifestData,
        name: 'debian-{system.release}',
        provider: { name: 'ec2', bucket: 'amis', region: 'eu-west-1' },
      } as unknown as ManifestData),
    });
    const calls: CloudCall[] = [];
    await bundleImage.run({ ...ctx, dryRun: true, recordCloudCall: (c) => calls.push(c) });
    assert.equal(ctx.state.get(IMAGE_LOCATION), 'amis/debian-bookworm.manifest.xml');
    assert.deepEqual(
      calls.map((c) => `${c.service}:${c.operation}`),
      ['s3:PutObject'],
    );
  });
});
