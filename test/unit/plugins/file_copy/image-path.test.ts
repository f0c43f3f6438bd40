import assert from 'node:assert/strict';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BuildError } from '../../../../src/api/index.js';
import { imagePathProblem, resolveInImage } from '../../../../plugins/file_copy/image-path.js';
import { tempDir } from '../../../helpers/fake-context.js';

describe('file_copy: paths inside the image', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    const dir = await tempDir('file-copy-paths-');
    root = dir.path;
    cleanup = dir.cleanup;
    await mkdir(join(root, 'run'));
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await mkdir(join(root, 'etc'));
    await symlink('/run', join(root, 'var-run')); // absolute, as Debian's /var/run
    await symlink('usr/lib', join(root, 'lib')); // relative, as merged /usr
    await symlink('../../../../../..', join(root, 'etc/up')); // climbs far above the root
    await symlink('/etc/passwd', join(root, 'etc/passwd-link')); // absolute, to a file
    await symlink('loop-b', join(root, 'loop-a'));
    await symlink('loop-a', join(root, 'loop-b'));
  });
  after(() => cleanup());

  it('follows absolute symlinks inside the image, never to the host', async () => {
    assert.equal(await resolveInImage(root, '/var-run/x.pid'), '/run/x.pid');
    assert.equal(await resolveInImage(root, '/etc/passwd-link'), '/etc/passwd');
  });

  it('follows relative symlinks', async () => {
    assert.equal(await resolveInImage(root, '/lib/modules'), '/usr/lib/modules');
  });

  it('stops ".." at the image root, as a chroot does', async () => {
    assert.equal(await resolveInImage(root, '/etc/up/etc/shadow'), '/etc/shadow');
  });

  it('keeps components that do not exist yet', async () => {
    assert.equal(await resolveInImage(root, '/opt/new/dir/file'), '/opt/new/dir/file');
    assert.equal(await resolveInImage(root, '/etc//./motd'), '/etc/motd');
  });

  it('fails on a symlink loop', async () => {
    await assert.rejects(
      resolveInImage(root, '/loop-a/x'),
      (e: unknown) => e instanceof BuildError && /too many symlinks/.test(e.message),
    );
  });

  it('refuses relative paths, ".." and / itself in the manifest', () => {
    assert.equal(imagePathProblem('/etc/motd'), undefined);
    assert.match(imagePathProblem('etc/motd') ?? '', /absolute/);
    assert.match(imagePathProblem('/etc/../../host') ?? '', /\.\./);
    assert.match(imagePathProblem('/') ?? '', /not \/ itself/);
  });
});
