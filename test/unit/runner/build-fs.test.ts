import assert from 'node:assert/strict';
import { stat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createHostFs, createRecordingFs } from '../../../src/runner/build-fs.js';
import { tempDir } from '../../helpers/fake-context.js';

describe('host fs', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.cleanup());
  const fs = createHostFs();

  it('writes with a mode regardless of the umask, appends and reads', async () => {
    const file = join(dir.path, 'a', 'b.txt');
    await fs.mkdir(join(dir.path, 'a'));
    await fs.writeFile(file, 'one\n', { mode: 0o600 });
    await fs.appendFile(file, 'two\n');
    assert.equal(await fs.readFile(file), 'one\ntwo\n');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    await fs.chmod(file, 0o640);
    assert.equal((await stat(file)).mode & 0o777, 0o640);
  });

  it('removes trees like rm -rf, and missing paths without error', async () => {
    await fs.mkdir(join(dir.path, 'tree', 'deep'));
    await fs.writeFile(join(dir.path, 'tree', 'deep', 'f'), 'x');
    await fs.remove(join(dir.path, 'tree'));
    assert.equal(await fs.exists(join(dir.path, 'tree')), false);
    await fs.remove(join(dir.path, 'never-existed'));
  });

  it('creates symlinks, and exists sees dangling ones', async () => {
    const link = join(dir.path, 'link');
    await fs.symlink('/nonexistent-target', link);
    assert.equal(await readlink(link), '/nonexistent-target');
    assert.equal(await fs.exists(link), true);
    assert.equal(await readFile(link).catch(() => 'dangling'), 'dangling');
  });
});

describe('recording fs', () => {
  it('records changes and touches nothing', async () => {
    const fs = createRecordingFs({ '/etc/hostname': 'seeded\n' });
    assert.equal(await fs.readFile('/etc/hostname'), 'seeded\n');
    assert.equal(await fs.readFile('/nope'), '');
    assert.equal(await fs.exists('/nope'), false);
    await fs.mkdir('/tmp/recording-fs-never-created/x', { mode: 0o755 });
    await fs.writeFile('/tmp/recording-fs-never-created/x/f', 'data');
    await fs.appendFile('/tmp/recording-fs-never-created/x/f', '+more');
    await fs.symlink('t', '/tmp/recording-fs-never-created/l');
    await fs.chmod('/tmp/recording-fs-never-created/x/f', 0o600);
    assert.equal(await fs.readFile('/tmp/recording-fs-never-created/x/f'), 'data+more');
    assert.equal(await fs.exists('/tmp/recording-fs-never-created'), true);
    await fs.remove('/tmp/recording-fs-never-created');
    assert.equal(await fs.exists('/tmp/recording-fs-never-created/x/f'), false);
    assert.deepEqual(
      fs.operations.map((o) => o.op),
      ['mkdir', 'writeFile', 'appendFile', 'symlink', 'chmod', 'remove'],
    );
    assert.equal(await stat('/tmp/recording-fs-never-created').catch(() => 'absent'), 'absent');
  });
});
