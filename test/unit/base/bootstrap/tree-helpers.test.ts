import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProgressLine } from '../../../../src/base/bootstrap/progress.js';
import { tarCreateArgv, tarExtractArgv } from '../../../../src/base/bootstrap/tar-archive.js';
import { clearRoot } from '../../../../src/base/bootstrap/clear-root.js';
import { parseLeftoverMounts } from '../../../../src/volume/mounts.js';
import { tempDir } from '../../../helpers/fake-context.js';

test('mmdebstrap stage lines map to steps out of a fixed total', () => {
  assert.deepEqual(parseProgressLine('mmdebstrap', 'I: running apt-get update...'), {
    done: 1,
    total: 7,
    message: 'updating package lists',
  });
  assert.equal(
    parseProgressLine('mmdebstrap', 'I: installing remaining packages inside the chroot...')?.done,
    5,
  );
  assert.equal(parseProgressLine('mmdebstrap', 'I: success in 13.3 seconds')?.done, 7);
  assert.equal(
    parseProgressLine('mmdebstrap', 'Get:1 http://deb.debian.org/debian bookworm InRelease'),
    undefined,
  );
});

test('debootstrap stage lines map to steps', () => {
  assert.equal(parseProgressLine('debootstrap', 'I: Retrieving InRelease ')?.done, 1);
  assert.equal(
    parseProgressLine('debootstrap', 'I: Retrieving libc6 2.36-9')?.message,
    'downloading packages',
  );
  assert.equal(parseProgressLine('debootstrap', 'I: Configuring the base system...')?.done, 7);
  assert.equal(parseProgressLine('debootstrap', 'I: Base system installed successfully.')?.done, 8);
});

test('tar argv keeps owners, ACLs and xattrs and leaves out lost+found of every filesystem', () => {
  assert.deepEqual(tarCreateArgv('/mnt/root', '/c/k.tar.partial-1', ['/mnt/root/boot']), [
    'tar',
    '--create',
    '--file=/c/k.tar.partial-1',
    '--numeric-owner',
    '--acls',
    '--xattrs',
    '--xattrs-include=*',
    '--anchored',
    '--exclude=./lost+found',
    '--exclude=./boot/lost+found',
    '--directory=/mnt/root',
    '.',
  ]);
  assert.deepEqual(tarExtractArgv('/c/k.tar', '/mnt/root'), [
    'tar',
    '--extract',
    '--file=/c/k.tar',
    '--numeric-owner',
    '--acls',
    '--xattrs',
    '--xattrs-include=*',
    '--same-owner',
    '--preserve-permissions',
    '--directory=/mnt/root',
  ]);
});

test('mountinfo paths are unescaped (octal sequences)', () => {
  const info = '36 35 98:0 / /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n';
  assert.deepEqual(parseLeftoverMounts(info, '/'), ['/mnt/with space']);
});

test('clearRoot empties the tree but keeps lost+found and mount points with their lost+found', async () => {
  const dir = await tempDir();
  try {
    const root = dir.path;
    for (const d of ['lost+found', 'etc', 'boot/lost+found', 'boot/grub', 'usr/lib/lost+found'])
      await mkdir(join(root, d), { recursive: true });
    await writeFile(join(root, 'etc/passwd'), 'x');
    await writeFile(join(root, 'boot/vmlinuz'), 'x');
    await clearRoot(root, [join(root, 'boot')]);
    assert.deepEqual((await readdir(root)).sort(), ['boot', 'lost+found']);
    assert.deepEqual(await readdir(join(root, 'boot')), ['lost+found']);
  } finally {
    await dir.cleanup();
  }
});
