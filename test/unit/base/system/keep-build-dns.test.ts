import assert from 'node:assert/strict';
import { lstat, readFile, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { keepBuildDns } from '../../../../src/base/system/keep-build-dns.js';
import { tempDir } from '../../../helpers/fake-context.js';
import { imageContext, seed } from './fixtures.js';

test('a dangling resolv.conf link left by systemd-resolved is replaced by the host file for the build', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, { '/etc/.keep': '' });
  await symlink('../run/systemd/resolve/stub-resolv.conf', join(dir.path, 'etc/resolv.conf'));
  await keepBuildDns.run(imageContext(dir.path));
  const stat = await lstat(join(dir.path, 'etc/resolv.conf'));
  assert.ok(stat.isFile());
  const host = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  assert.equal(await readFile(join(dir.path, 'etc/resolv.conf'), 'utf8'), host);
});

test('a resolv.conf that resolves inside the image, or a regular file, is left alone', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, {
    '/run/systemd/resolve/stub-resolv.conf': 'nameserver 127.0.0.53\n',
    '/etc/.keep': '',
  });
  await symlink('../run/systemd/resolve/stub-resolv.conf', join(dir.path, 'etc/resolv.conf'));
  await keepBuildDns.run(imageContext(dir.path));
  assert.ok((await lstat(join(dir.path, 'etc/resolv.conf'))).isSymbolicLink());

  const plain = await tempDir();
  t.after(plain.cleanup);
  await seed(plain.path, { '/etc/resolv.conf': 'nameserver 192.0.2.1\n' });
  await keepBuildDns.run(imageContext(plain.path));
  assert.equal(await readFile(join(plain.path, 'etc/resolv.conf'), 'utf8'), 'nameserver 192.0.2.1\n');
});
