/**
 * The plan of every shipped manifest, as `bootstrap plan` prints it, against a file kept in git
 * (test/fixtures/plans/), so a change in the tasks, their order or their descriptions shows up in
 * review (issue 17, item 4). After an intended change, rewrite the files and commit them:
 *   UPDATE_GOLDEN=1 node --import tsx --test test/unit/manifests/plan-golden.test.ts
 */
import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { planToText } from '../../../src/cli/commands/plan.js';
import { makePlan } from '../../../src/core/make-plan.js';
import { formatIssue, loadManifest } from '../../../src/manifest/load-manifest.js';
import { builtinRegistry } from '../../../src/registry/lazy-registry.js';
import { assertGolden } from '../../helpers/golden.js';
import { manifestsUnder } from '../../helpers/manifest-files.js';

const GOLDEN = 'test/fixtures/plans';
// Names hold the build date: a fixed one keeps the files stable.
const NOW = new Date('2026-11-23T12:00:00Z');

describe('plans of the shipped manifests (test/fixtures/plans)', () => {
  // Every shipped manifest, the examples included: manifests/examples/x.yml -> examples/x.txt.
  const files = manifestsUnder('manifests').map((f) => relative('manifests', f));
  for (const name of files) {
    it(name, async () => {
      const r = await loadManifest(join('manifests', name), { registry: builtinRegistry(), now: NOW });
      assert.ok(r.manifest, r.errors.map((e) => formatIssue(e, { color: false })).join('\n'));
      const text = planToText(makePlan(r.manifest).plan, r.manifest.expand(r.manifest.data.name)) + '\n';
      const golden = join(GOLDEN, name.replace(/\.(ya?ml|json)$/, '.txt'));
      assertGolden(golden, text, `the plan of ${name}`, 'test/unit/manifests/plan-golden.test.ts');
    });
  }
});
