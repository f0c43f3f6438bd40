/**
 * Every manifest the project ships validates and plans, and so does every bootstrap-vz manifest of
 * the compatibility corpus whose plugins we have: a manifest is a test.
 */
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { makePlan } from '../../../src/core/make-plan.js';
import { formatIssue, loadManifest } from '../../../src/manifest/load-manifest.js';
import { builtinRegistry } from '../../../src/registry/lazy-registry.js';
import { manifestsUnder } from '../../helpers/manifest-files.js';

const NOW = new Date('2026-11-23T12:00:00Z');

describe('shipped manifests', () => {
  const files = manifestsUnder('manifests');
  it('there are manifests to check', () => assert.ok(files.length >= 3, files.join(', ')));
  for (const file of files) {
    it(`${file} validates and plans`, async () => {
      const r = await loadManifest(file, { registry: builtinRegistry(), now: NOW });
      assert.deepEqual(r.errors.map((e) => formatIssue(e, { color: false })), []);
      assert.ok(r.manifest);
      const { plan } = makePlan(r.manifest);
      assert.ok(plan.tasks.some((t) => t.task.id === 'base/bootstrap-os'), 'the plan bootstraps');
    });
  }
});

describe('bootstrap-vz corpus (test/fixtures/bootstrap-vz)', () => {
  const root = 'test/fixtures/bootstrap-vz/manifests';
  for (const file of manifestsUnder(root)) {
    it(`${relative(root, file)} loads unchanged and plans`, async () => {
      const r = await loadManifest(file, { registry: builtinRegistry(), now: NOW });
      // A plugin we do not ship yet is the only acceptable error; anything else is a compatibility bug.
      const other = r.errors.filter((e) => !/^unknown plugin "/.test(e.message));
      assert.deepEqual(other.map((e) => formatIssue(e, { color: false })), []);
      if (r.errors.length > 0) return;
      assert.ok(r.manifest);
      assert.ok(makePlan(r.manifest).plan.tasks.length > 10);
    });
  }

  it('the kvm examples plan with --set system.release=bookworm', async () => {
    for (const file of manifestsUnder(join(root, 'examples/kvm'))) {
      const r = await loadManifest(file, {
        registry: builtinRegistry(),
        now: NOW,
        set: ['system.release=bookworm'],
      });
      if (r.errors.some((e) => /^unknown plugin "/.test(e.message))) continue;
      assert.deepEqual(r.errors.map((e) => formatIssue(e, { color: false })), [], file);
      assert.equal(r.manifest?.release.codename, 'bookworm');
    }
  });

  it('the lvm example is rejected at its backing', async () => {
    const r = await loadManifest('test/fixtures/bootstrap-vz/rejected/manifests/examples/kvm/jessie-lvm.yml', {
      registry: builtinRegistry(),
      now: NOW,
    });
    assert.ok(r.errors.some((e) => e.pointer === '/volume/backing'), JSON.stringify(r.errors));
  });
});
