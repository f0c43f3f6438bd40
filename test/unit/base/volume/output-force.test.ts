/**
 * Issue 16, item 9: nothing the user had is lost. An existing output refuses the build unless
 * --force; with --force the new image is written beside it and takes its name only in the build's
 * last step, so a failure anywhere before that leaves the old image as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuildState, VOLUME, type VolumeInfo } from '../../../../src/api/index.js';
import {
  checkOutput,
  exportImage,
  FORCE_OUTPUT,
  replaceOutput,
  replacementPath,
} from '../../../../src/base/volume/export-image.js';
import { VOLUME_RESOURCES } from '../../../../src/base/volume/volume-resources.js';
import { ImageFile } from '../../../../src/volume/image-file.js';
import { hostFs, tempDir, testContext, TestRunner } from '../../../helpers/fake-context.js';

/** A runner that really renames for `mv` (the only command these tasks run for a raw image). */
function mvRunner(): TestRunner {
  return new TestRunner((argv) => {
    if (argv[0] === 'mv') renameSync(argv.at(-2) as string, argv.at(-1) as string);
    return undefined;
  });
}

async function setup(opts: { existing?: string; force?: boolean }) {
  const dir = await tempDir();
  const workspace = join(dir.path, 'abcd1234');
  const out = join(dir.path, 'test-bookworm.raw');
  if (opts.existing !== undefined) writeFileSync(out, opts.existing);
  const state = new BuildState();
  if (opts.force) state.set(FORCE_OUTPUT, true);
  const runner = mvRunner();
  const ctx = testContext({ workspace, state, runner, runId: 'abcd1234' });
  return { dir, workspace, out, state, runner, ctx };
}

/** What the volume tasks leave for base/export-image: a finished image file in the workspace. */
async function finishedImage(ctx: ReturnType<typeof testContext>, workspace: string, content: string) {
  const path = join(workspace, 'volume.raw');
  const image = new ImageFile(path, 4, ctx.runner, hostFs);
  await image.create();
  await hostFs.mkdir(workspace);
  writeFileSync(path, content);
  ctx.state.get(VOLUME_RESOURCES).image = image;
  ctx.state.set(VOLUME, { backing: 'raw', imagePath: path, partitions: [] } as unknown as VolumeInfo);
}

test('an existing output refuses the build without --force, with the hint, and stays untouched', async () => {
  const { dir, out, ctx } = await setup({ existing: 'OLD' });
  try {
    await assert.rejects(checkOutput.run(ctx), (e: Error & { hint?: string }) => {
      assert.equal(e.name, 'BuildError');
      assert.match(e.message, /already exists/);
      assert.match(e.hint ?? '', /rerun with --force/);
      return true;
    });
    assert.equal(readFileSync(out, 'utf8'), 'OLD');
  } finally {
    await dir.cleanup();
  }
});

test('the dry run (validate, plan, --dry-run) warns about an existing output instead of refusing', async () => {
  const { dir, ctx } = await setup({ existing: 'OLD' });
  try {
    await checkOutput.run({ ...ctx, dryRun: true });
    assert.ok(ctx.logs.some((l) => /^warn: .*already exists.*--force/.test(l)));
  } finally {
    await dir.cleanup();
  }
});

test('--force: the new image is written beside the old one and replaces it only in the last step', async () => {
  const { dir, workspace, out, ctx } = await setup({ existing: 'OLD', force: true });
  try {
    await checkOutput.run(ctx);
    await finishedImage(ctx, workspace, 'NEW');
    await exportImage.run(ctx);
    const temp = replacementPath(out, 'abcd1234');
    assert.equal(readFileSync(out, 'utf8'), 'OLD', 'the old image stays until the end');
    assert.equal(readFileSync(temp, 'utf8'), 'NEW');
    assert.equal(ctx.artifacts[0]?.path, out, 'the artifact has the final name');
    await replaceOutput.run(ctx);
    assert.equal(readFileSync(out, 'utf8'), 'NEW');
    assert.ok(!existsSync(temp));
    assert.ok(ctx.runner.lines().includes(`mv --no-target-directory -- ${temp} ${out}`));
    // a rollback after the replacement (a later cleaning step failed) keeps the new image
    await exportImage.undo?.(ctx);
    assert.equal(readFileSync(out, 'utf8'), 'NEW');
  } finally {
    await dir.cleanup();
  }
});

test('--force and a failure before the end: the rollback removes the new image, the old one is intact', async () => {
  const { dir, workspace, out, ctx } = await setup({ existing: 'OLD', force: true });
  try {
    await checkOutput.run(ctx);
    await finishedImage(ctx, workspace, 'NEW');
    await exportImage.run(ctx);
    // e.g. the boot test or the upload failed: the engine undoes export-image
    await exportImage.undo?.(ctx);
    assert.equal(readFileSync(out, 'utf8'), 'OLD');
    assert.deepEqual(
      readdirSync(dir.path).filter((n) => n.startsWith('test-bookworm')),
      ['test-bookworm.raw'],
    );
  } finally {
    await dir.cleanup();
  }
});

test('without an existing output, --force changes nothing: the image gets its name at export', async () => {
  const { dir, workspace, out, ctx } = await setup({ force: true });
  try {
    await checkOutput.run(ctx);
    await finishedImage(ctx, workspace, 'NEW');
    await exportImage.run(ctx);
    assert.equal(readFileSync(out, 'utf8'), 'NEW');
    const before = ctx.runner.calls.length;
    await replaceOutput.run(ctx);
    assert.equal(ctx.runner.calls.length, before, 'nothing to replace');
  } finally {
    await dir.cleanup();
  }
});

test('an output that is a directory is refused even with --force', async () => {
  const { dir, out, ctx } = await setup({ force: true });
  try {
    await hostFs.mkdir(out);
    await assert.rejects(checkOutput.run(ctx), /not a regular file/);
  } finally {
    await dir.cleanup();
  }
});
