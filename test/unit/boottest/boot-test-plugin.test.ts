import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePlan } from '../../../src/core/make-plan.js';
import { loadManifest } from '../../../src/manifest/load-manifest.js';
import { builtinRegistry } from '../../../src/registry/lazy-registry.js';

async function planIds(file: string, set: string[] = []): Promise<string[]> {
  const r = await loadManifest(file, { registry: builtinRegistry(), set });
  assert.deepEqual(r.errors, []);
  assert.ok(r.manifest);
  return makePlan(r.manifest).plan.tasks.map((t) => t.task.id);
}

test('boot_test boots the image after it is written', async () => {
  const ids = await planIds('manifests/examples/boot_test.yml');
  assert.ok(ids.indexOf('base/export-image') < ids.indexOf('boot_test/boot-image'));
});

test('boot_test runs before any publishing step, so a broken image is never registered', async () => {
  const ids = await planIds('manifests/debian-hvm-raw.yml', ['plugins.boot_test.firmware=bios']);
  const boot = ids.indexOf('boot_test/boot-image');
  assert.ok(boot > ids.indexOf('base/export-image'));
  assert.ok(boot < ids.indexOf('ec2/upload-snapshot'));
  assert.ok(boot < ids.indexOf('ec2/register-image'));
});

test('boot_test is refused for the ebs backing, which leaves no image file here', async () => {
  const r = await loadManifest('manifests/debian-hvm.yml', {
    registry: builtinRegistry(),
    set: ['plugins.boot_test.firmware=bios'],
  });
  assert.ok(
    r.errors.some((e) => e.pointer === '/plugins/boot_test'),
    JSON.stringify(r.errors),
  );
});
