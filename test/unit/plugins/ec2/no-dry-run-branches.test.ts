/**
 * Issue 17, item 2: the AWS tasks get their clients through the context (recording ones in a dry
 * run), so none of them writes a dry-run branch that lists its calls by hand. This reads their source.
 * The one exception left is the S3 bundle task, whose dry run has no image to bundle; issue 14
 * rebuilds that route.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { filesUnder } from '../../../helpers/manifest-files.js';

const AWS_TASK_DIRS = ['plugins/ec2', 'plugins/ec2_publish', 'plugins/ec2_launch'];
const EXCEPTIONS = new Set(['plugins/ec2/bundle/bundle-image-task.ts']);

test('no AWS task branches on ctx.dryRun or records its calls by hand', () => {
  const files = AWS_TASK_DIRS.flatMap((d) => filesUnder(d, '.ts'));
  assert.ok(files.length > 30, `${files.length} files read`);
  const offenders = files
    .filter((f) => !EXCEPTIONS.has(f))
    .filter((f) => /\bctx\.dryRun\b|recordCloudCall\(\{/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});

test('the exception still exists (remove it from the list when issue 14 lands)', () => {
  for (const f of EXCEPTIONS) assert.match(readFileSync(f, 'utf8'), /ctx\.dryRun/, f);
});
