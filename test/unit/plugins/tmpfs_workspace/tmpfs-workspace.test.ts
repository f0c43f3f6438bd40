import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestData } from '../../../../src/api/index.js';
import { tmpfsWorkspacePlugin } from '../../../../plugins/tmpfs_workspace/index.js';
import { mountWorkspace, unmountWorkspace } from '../../../../plugins/tmpfs_workspace/tasks.js';
import { baseManifestData, testContext, testManifest } from '../../../helpers/fake-context.js';
import { loadWith, loadYaml, planIds } from '../../../helpers/plan-manifest.js';

const EXAMPLE = new URL('../../../../manifests/examples/tmpfs_workspace.yml', import.meta.url).pathname;
const plugins = [tmpfsWorkspacePlugin];
const manifest = (s: Record<string, unknown>) =>
  testManifest({ ...baseManifestData, plugins: { tmpfs_workspace: s } } as ManifestData);

describe('tmpfs_workspace tasks', () => {
  it('mounts a private tmpfs of the given size on the workspace', async () => {
    const ctx = testContext({ manifest: manifest({ size: '3GiB' }), workspace: '/var/tmp/bootstrap/run1' });
    await mountWorkspace.run(ctx);
    assert.deepEqual(ctx.runner.lines(), [
      'mount -t tmpfs -o size=3221225472,mode=0700 tmpfs /var/tmp/bootstrap/run1',
    ]);
    assert.match(ctx.logs[0] ?? '', /up to 3GiB\); the image file is built in RAM/);
  });

  it('leaves the size to the kernel when none is given', async () => {
    const ctx = testContext({ manifest: manifest({}), workspace: '/ws' });
    await mountWorkspace.run(ctx);
    assert.deepEqual(ctx.runner.lines(), ['mount -t tmpfs -o mode=0700 tmpfs /ws']);
  });

  it('unmounts once, in the cleaning task or the undo, whichever comes first', async () => {
    const ctx = testContext({ manifest: manifest({}), workspace: '/ws' });
    await mountWorkspace.run(ctx);
    await unmountWorkspace.run(ctx);
    await mountWorkspace.undo?.(ctx);
    assert.deepEqual(ctx.runner.lines(), ['mount -t tmpfs -o mode=0700 tmpfs /ws', 'umount /ws']);
  });

  it('does not unmount what it did not mount (the mount failed)', async () => {
    const ctx = testContext({ manifest: manifest({}), workspace: '/ws' });
    await mountWorkspace.undo?.(ctx);
    assert.deepEqual(ctx.runner.lines(), []);
  });
});

describe('tmpfs_workspace: plan and checks', () => {
  it('loads the example; mounts after the workspace exists and unmounts before it is deleted', async () => {
    assert.deepEqual((await loadWith(EXAMPLE, ...plugins)).errors, []);
    const ids = await planIds(EXAMPLE, ...plugins);
    const at = (id: string) => ids.indexOf(id);
    assert.ok(at('base/create-workspace') < at('tmpfs_workspace/mount-workspace'));
    assert.ok(at('tmpfs_workspace/mount-workspace') < at('base/create-image-file'));
    assert.ok(at('tmpfs_workspace/mount-workspace') < at('base/plan-volume'));
    assert.ok(at('base/export-image') < at('tmpfs_workspace/unmount-workspace'));
    assert.ok(at('tmpfs_workspace/unmount-workspace') < at('base/delete-workspace'));
  });

  it("accepts bootstrap-vz's empty settings", async () => {
    const { result } = await loadYaml(plugins, 'plugins:\n  tmpfs_workspace: {}\n');
    assert.deepEqual([result.errors, result.warnings], [[], []]);
  });

  it('warns when the tmpfs is smaller than the volume, at the size line', async () => {
    const { file, result } = await loadYaml(plugins, 'plugins:\n  tmpfs_workspace:\n    size: 1GiB\n');
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.warnings.map((w) => [w.pointer, w.file, w.line]),
      [['/plugins/tmpfs_workspace/size', file, 4]],
    );
  });

  it('refuses a size bootstrap-vz could not read', async () => {
    const { result } = await loadYaml(plugins, 'plugins:\n  tmpfs_workspace:\n    size: 4G\n');
    assert.deepEqual(
      result.errors.map((e) => e.pointer),
      ['/plugins/tmpfs_workspace/size'],
    );
  });
});
