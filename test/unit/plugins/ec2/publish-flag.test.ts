/**
 * `provider.publish: false` turns an EC2 manifest into a local build of its image file: no AWS task is
 * planned, and it is refused where the build itself happens in AWS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basePlugin } from '../../../../src/base/base-plugin.js';
import { activePlugins, selectTasks } from '../../../../src/core/select-tasks.js';
import { loadManifest } from '../../../../src/manifest/load-manifest.js';
import { BUILTIN_PLUGINS, createRegistry } from '../../../../src/registry/builtin-registry.js';

const registry = createRegistry(BUILTIN_PLUGINS, [basePlugin]);
const NOW = new Date('2026-01-01T00:00:00Z');

async function taskIds(file: string, set: string[]): Promise<string[]> {
  const load = await loadManifest(file, { registry, set, now: NOW });
  assert.ok(load.manifest, JSON.stringify(load.errors));
  const plugins = activePlugins(load.manifest, basePlugin, registry);
  return selectTasks(load.manifest, plugins, [basePlugin, ...registry.all()]).tasks.map((t) => t.id);
}

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
  const load = await loadManifest('manifests/debian-hvm.yml', {
    registry,
    set: ['provider.publish=false'],
    now: NOW,
  });
  assert.equal(load.manifest, undefined);
  assert.deepEqual(
    load.errors.map((e) => e.pointer),
    ['/provider/publish'],
  );
  assert.match(load.errors[0]?.message ?? '', /needs volume\.backing raw/);
});
