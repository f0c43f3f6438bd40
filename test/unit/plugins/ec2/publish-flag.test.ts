/**
 * `provider.publish: false` turns an EC2 manifest into a local build of its image file: no AWS task is
 * planned, and it is refused where the build itself happens in AWS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFile, plannedIds } from '../../../helpers/plan-manifest.js';

const taskIds = (file: string, set: string[]): Promise<string[]> => plannedIds(file, { set });

test('raw backing plans the upload and registration by default', async () => {
  const ids = await taskIds('manifests/debian-hvm-raw.yml', []);
  assert.ok(ids.includes('ec2/upload-snapshot'));
  assert.ok(ids.includes('ec2/register-image'));
});

test('publish: false plans no AWS task, and still exports the image file', async () => {
  const ids = await taskIds('manifests/debian-hvm-raw.yml', ['provider.publish=false']);
  assert.deepEqual(
    ids.filter((id) => id.startsWith('ec2/') && !id.startsWith('ec2/guest')),
    [],
    'no AWS task',
  );
  assert.ok(ids.includes('base/export-image'));
});

test('publish: false with ebs backing is a manifest error at the key', async () => {
  const { load } = await planFile('manifests/debian-hvm.yml', { set: ['provider.publish=false'] });
  assert.equal(load.manifest, undefined);
  assert.deepEqual(
    load.errors.map((e) => e.pointer),
    ['/provider/publish'],
  );
  assert.match(load.errors[0]?.message ?? '', /needs volume\.backing raw/);
});
