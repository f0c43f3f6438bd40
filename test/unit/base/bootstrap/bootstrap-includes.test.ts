import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOOTSTRAP_INCLUDE, INSTALL_PACKAGES_AFTER_BOOTSTRAP, PACKAGES } from '../../../../src/api/index.js';
import { bootstrapIncludes } from '../../../../src/base/bootstrap/bootstrap-os.js';
import { baseManifestData, testContext, testManifest } from '../../../helpers/fake-context.js';

test('mmdebstrap includes the manifest packages, unless a plugin defers them to after the bootstrap', () => {
  const manifest = testManifest({ ...baseManifestData, packages: { install: ['openssh-server'] } });
  const ctx = testContext({ manifest });
  ctx.state.get(PACKAGES).add('grub-pc');
  ctx.state.get(BOOTSTRAP_INCLUDE).add('locales');
  assert.deepEqual(bootstrapIncludes(ctx, 'mmdebstrap').sort(), ['grub-pc', 'locales', 'openssh-server']);
  ctx.state.set(INSTALL_PACKAGES_AFTER_BOOTSTRAP, true);
  // Only what the bootstrap itself must have stays; base/install-packages installs the rest with apt.
  assert.deepEqual(bootstrapIncludes(ctx, 'mmdebstrap'), ['locales']);
  assert.deepEqual(bootstrapIncludes(ctx, 'debootstrap'), ['locales']);
});
