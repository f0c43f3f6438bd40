/**
 * scripts/run-tests.mjs runs the unit files in shards, several files per process
 * (--experimental-test-isolation=none). A top-level beforeEach/afterEach would then wrap the tests of
 * every other file in its shard, so unit files keep such hooks inside a describe(). Top-level
 * before/after are fine: they run once, before or after the shard's tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { filesUnder } from '../../helpers/manifest-files.js';

test('no unit file has a top-level beforeEach or afterEach', () => {
  const files = filesUnder('test/unit', '.test.ts');
  assert.ok(files.length > 100, `${files.length} files`);
  const offenders = files.filter((f) => /^(beforeEach|afterEach)\(/m.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
