import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFile, plannedIds } from '../../helpers/plan-manifest.js';

const planIds = (file: string, set: string[] = []): Promise<string[]> => plannedIds(file, { set });

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
  const { load: r } = await planFile('manifests/debian-hvm.yml', {
    set: ['plugins.boot_test.firmware=bios'],
  });
  assert.ok(
    r.errors.some((e) => e.pointer === '/plugins/boot_test'),
    JSON.stringify(r.errors),
  );
});
