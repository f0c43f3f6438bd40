import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRecordingFs, createRecordingRunner } from '../../../src/runner/index.js';
import { convertArgv, convertImage } from '../../../src/volume/convert.js';
import { ImageFile } from '../../../src/volume/image-file.js';
import { IllegalTransitionError } from '../../../src/volume/state-machine.js';

describe('ImageFile', () => {
  it('creates a sparse file with truncate, deletes it once', async () => {
    const runner = createRecordingRunner({ dryRun: false });
    const fs = createRecordingFs();
    const img = new ImageFile('/ws/disk.raw', 1024 * 1024 * 1024, runner, fs);
    await img.delete();
    assert.deepEqual(fs.operations, [], 'nothing to undo before create');
    await img.create();
    assert.deepEqual(runner.lines(), ['truncate --size=1073741824 /ws/disk.raw']);
    await assert.rejects(() => img.create(), IllegalTransitionError);
    await img.delete();
    await img.delete();
    assert.deepEqual(fs.operations, [{ op: 'remove', path: '/ws/disk.raw' }]);
    assert.equal(img.state, 'deleted');
  });

  it('refuses to overwrite an existing file, and then never deletes it', async () => {
    const fs = createRecordingFs({ '/ws/disk.raw': 'precious' });
    const img = new ImageFile('/ws/disk.raw', 1024, createRecordingRunner({ dryRun: false }), fs);
    await assert.rejects(() => img.create(), /already exists/);
    await img.delete();
    assert.equal(fs.files.get('/ws/disk.raw'), 'precious');
  });

  it('a failed truncate is still undone', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: () => ({ exitCode: 1, stderr: 'No space left on device' }),
    });
    const fs = createRecordingFs();
    const img = new ImageFile('/ws/disk.raw', 1024, runner, fs);
    await assert.rejects(() => img.create(), /No space left/);
    await img.delete();
    assert.deepEqual(fs.operations, [{ op: 'remove', path: '/ws/disk.raw' }]);
  });
});

describe('convert', () => {
  it('argv per format', () => {
    assert.deepEqual(convertArgv('a.raw', 'a.qcow2', { format: 'qcow2', compress: true }), [
      'qemu-img',
      'convert',
      '-f',
      'raw',
      '-O',
      'qcow2',
      '-c',
      'a.raw',
      'a.qcow2',
    ]);
    assert.deepEqual(convertArgv('a.raw', 'a.vmdk', { format: 'vmdk' }), [
      'qemu-img',
      'convert',
      '-f',
      'raw',
      '-O',
      'vmdk',
      '-o',
      'subformat=streamOptimized',
      'a.raw',
      'a.vmdk',
    ]);
    assert.deepEqual(convertArgv('a.raw', 'a.vdi', { format: 'vdi' }), [
      'qemu-img',
      'convert',
      '-f',
      'raw',
      '-O',
      'vdi',
      'a.raw',
      'a.vdi',
    ]);
    assert.throws(() => convertArgv('a', 'b', { format: 'vdi', compress: true }), /only supported for qcow2/);
  });

  it('writes to .partial and renames into place', async () => {
    const runner = createRecordingRunner({ dryRun: false });
    const fs = createRecordingFs();
    assert.equal(
      await convertImage(runner, fs, '/ws/a.raw', '/out/a.qcow2', { format: 'qcow2' }),
      '/out/a.qcow2',
    );
    assert.deepEqual(runner.lines(), [
      'qemu-img convert -f raw -O qcow2 /ws/a.raw /out/a.qcow2.partial',
      'mv --no-target-directory /out/a.qcow2.partial /out/a.qcow2',
    ]);
  });

  it('removes the partial output when qemu-img fails, and never touches the final name', async () => {
    const runner = createRecordingRunner({
      dryRun: false,
      results: (argv) => (argv[0] === 'qemu-img' ? { exitCode: 1, stderr: 'boom' } : undefined),
    });
    const fs = createRecordingFs({ '/out/a.qcow2.partial': 'half' });
    await assert.rejects(
      () => convertImage(runner, fs, '/ws/a.raw', '/out/a.qcow2', { format: 'qcow2' }),
      /boom/,
    );
    assert.equal(fs.files.has('/out/a.qcow2.partial'), false);
    assert.equal(
      runner.lines().some((l) => l.startsWith('mv')),
      false,
    );
  });
});
