/**
 * scripts/run-tests.mjs runs the unit files in shards, several files per process
 * (--experimental-test-isolation=none). A top-level beforeEach/afterEach would then wrap the tests of
 * every other file in its shard, so unit files keep such hooks inside a describe(). Top-level
 * before/after are fine: they run once, before or after the shard's tests.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

test('no unit file has a top-level beforeEach or afterEach', () => {
  const files = testFiles('test/unit');
  assert.ok(files.length > 100, `${files.length} files`);
  const offenders = files.filter((f) => /^(beforeEach|afterEach)\(/m.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
