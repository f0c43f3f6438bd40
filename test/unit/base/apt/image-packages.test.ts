import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildState, PACKAGES } from '../../../../src/api/index.js';
import { defaultReleaseNames, imagePackageSpecs } from '../../../../src/base/apt/image-packages.js';
import { baseManifestData, testManifest } from '../../../helpers/fake-context.js';

test("imagePackageSpecs: manifest entries expanded and first, then the tasks' packages, each once", () => {
  const manifest = testManifest({
    ...baseManifestData,
    packages: {
      install: ['vim', 'linux-image-cloud-amd64/{system.release}-backports', './local.deb', 'curl'],
    },
  });
  const state = new BuildState();
  state.set(PACKAGES, new Set(['grub-pc', 'vim']));
  const specs = imagePackageSpecs(manifest, state);
  assert.deepEqual(specs, [
    { kind: 'remote', name: 'vim' },
    // The same spelling install-packages, bootstrap-os and the preflight see: expanded, so apt gets
    // `-t bookworm-backports`, never the manifest's braces.
    { kind: 'remote', name: 'linux-image-cloud-amd64', target: 'bookworm-backports' },
    { kind: 'local', path: './local.deb' },
    { kind: 'remote', name: 'curl' },
    { kind: 'remote', name: 'grub-pc' },
  ]);
  assert.deepEqual(defaultReleaseNames(specs), ['vim', 'curl', 'grub-pc']);
});
