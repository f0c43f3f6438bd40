/**
 * Issue 16, item 9: nothing the user had is lost. An existing output refuses the build unless
 * --force; with --force the new image is written beside it and takes its name only in the build's
 * last step, so a failure anywhere before that leaves the old image as it was. And the volume's raw
 * image path stays apart from the output it is exported to (src/api/volume.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BuildState,
  plannedVolume,
  rawImageFile,
  VOLUME,
  volumeAttached,
  volumeDetached,
  volumeImageCreated,
} from '../../../../src/api/index.js';
import {
  checkOutput,
  exportImage,
  FORCE_OUTPUT,
  replaceOutput,
  replacementPath,
} from '../../../../src/base/volume/export-image.js';
import { VOLUME_RESOURCES } from '../../../../src/base/volume/volume-resources.js';
import { ImageFile } from '../../../../src/volume/image-file.js';
import {
  baseManifestData,
  hostFs,
  tempDir,
  testContext,
  testManifest,
  TestRunner,
} from '../../../helpers/fake-context.js';

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
  const volume = plannedVolume({ backing: 'raw', sizeBytes: 4, partitionMap: 'none', partitions: [] });
  volumeImageCreated(volume, path);
  volumeAttached(volume, '/dev/loop0');
  volumeDetached(volume);
  ctx.state.set(VOLUME, volume);
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
    assert.equal(ctx.state.get(VOLUME)?.output?.path, temp, 'the volume says where the output is now');
    await replaceOutput.run(ctx);
    assert.equal(readFileSync(out, 'utf8'), 'NEW');
    assert.equal(ctx.state.get(VOLUME)?.output?.path, out);
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

/** A runner for a qcow2 export: qemu-img "converts" by copying, mv renames. */
function convertRunner(): TestRunner {
  return new TestRunner((argv) => {
    if (argv[0] === 'qemu-img') copyFileSync(argv.at(-2) as string, argv.at(-1) as string);
    if (argv[0] === 'mv') renameSync(argv.at(-2) as string, argv.at(-1) as string);
    return undefined;
  });
}

test('export keeps the raw image path and the output apart: a raw output is the moved raw image', async () => {
  const { dir, workspace, out, ctx } = await setup({});
  try {
    await finishedImage(ctx, workspace, 'RAW');
    await exportImage.run(ctx);
    const volume = ctx.state.get(VOLUME)!;
    assert.equal(volume.state, 'exported');
    assert.equal(volume.rawImagePath, join(workspace, 'volume.raw'), 'still the file the build wrote');
    assert.deepEqual(volume.output, { path: out, format: 'raw' });
    assert.equal(rawImageFile(volume), out, 'the raw bytes are now the output');
    await exportImage.undo?.(ctx);
    assert.deepEqual([volume.state, volume.output], ['detached', undefined]);
  } finally {
    await dir.cleanup();
  }
});

test('export keeps the raw image path and the output apart: a qcow2 output is a new file, the raw one stays', async () => {
  const dir = await tempDir();
  try {
    const workspace = join(dir.path, 'abcd1234');
    const manifest = testManifest({
      ...baseManifestData,
      volume: { ...baseManifestData.volume, backing: 'qcow2' },
    });
    const ctx = testContext({ manifest, workspace, runner: convertRunner(), runId: 'abcd1234' });
    await finishedImage(ctx, workspace, 'RAW');
    await exportImage.run(ctx);
    const volume = ctx.state.get(VOLUME)!;
    const out = join(dir.path, 'test-bookworm.qcow2');
    assert.equal(volume.rawImagePath, join(workspace, 'volume.raw'));
    assert.deepEqual(volume.output, { path: out, format: 'qcow2' });
    assert.equal(rawImageFile(volume), volume.rawImagePath, 'the raw image is where the build wrote it');
    assert.equal(readFileSync(volume.rawImagePath!, 'utf8'), 'RAW');
    assert.equal(ctx.artifacts[0]?.path, out);
    assert.equal(ctx.artifacts[0]?.format, 'qcow2');
  } finally {
    await dir.cleanup();
  }
});

test('export refuses a volume that is still attached, before touching any file', async () => {
  const { dir, workspace, out, ctx } = await setup({});
  try {
    await finishedImage(ctx, workspace, 'RAW');
    const volume = ctx.state.get(VOLUME)!;
    volumeAttached(volume, '/dev/loop0');
    await assert.rejects(exportImage.run(ctx), /cannot export the raw volume: it is attached, not detached/);
    assert.ok(!existsSync(out));
    assert.equal(readFileSync(join(workspace, 'volume.raw'), 'utf8'), 'RAW');
  } finally {
    await dir.cleanup();
  }
});
