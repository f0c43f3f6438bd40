import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { definePlugin } from '../../../src/api/index.js';
import { loadManifest } from '../../../src/manifest/load-manifest.js';
import { FIXTURES, fakeRegistry, kvm } from './fake-registry.js';

// Plugins with open schemas, as bootstrap-vz's plugins would accept these settings.
const openRootPassword = definePlugin({
  name: 'root_password',
  kind: 'plugin',
  description: 'open',
  schema: { type: 'object' },
  tasks: [],
  resolveTasks() {},
});

test('a manifest in bootstrap-vz form loads unchanged, every core section included', async () => {
  const r = await loadManifest(join(FIXTURES, 'bootstrap-vz-style.yml'), {
    registry: fakeRegistry([kvm, openRootPassword]),
    now: new Date('2026-03-04T05:06:07Z'),
  });
  assert.deepEqual(r.errors, []);
  // stretch is long out of security support: loading works, with a warning at the release line.
  // The trusted key names a file of the machine it was written on: a warning at validate, an error
  // only before a real build (value-checks.ts).
  assert.deepEqual(
    r.warnings.map((w) => [w.line, w.col, w.message]),
    [
      [18, 3, 'Debian stretch reached the end of its security support on 2022-06-30'],
      [63, 7, '"/etc/keys/extra.gpg": /etc/keys/extra.gpg does not exist on this host'],
      [67, 7, '"/root/local.deb": /root/local.deb does not exist on this host'],
    ],
  );
  const m = r.manifest;
  assert.ok(m);
  assert.equal(m.release.codename, 'stretch');
  assert.equal(m.data.packages?.install_standard, true, 'YAML 1.1 yes');
  assert.equal(m.data.volume.partitions['var/tmp'] !== undefined, true);
  assert.equal(m.expand(m.data.name), 'debian-stretch-amd64-20260304');
  assert.equal(m.expand(m.data.tags?.['Debian'] ?? ''), '9.0~202603040506');
  assert.equal(m.expand(m.data.packages?.install?.[1] ?? ''), 'cloud-init/stretch-backports');
});
