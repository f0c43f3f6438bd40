import assert from 'node:assert/strict';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { selectHygieneTasks } from '../../../../src/base/hygiene/index.js';
import { safeRemover } from '../../../../src/base/hygiene/safe-remove.js';
import { chmod, writeFile } from 'node:fs/promises';
import { tempDir } from '../../../helpers/fake-context.js';
import { imageContext, manifestWith, seed } from '../system/fixtures.js';

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/** A fake image tree with everything a build leaves behind. */
const BUILD_LEFTOVERS: Record<string, string> = {
  '/etc/ssh/ssh_host_ed25519_key': 'PRIVATE',
  '/etc/ssh/ssh_host_ed25519_key.pub': 'ssh-ed25519 AAAA',
  '/etc/ssh/ssh_host_rsa_key': 'PRIVATE',
  '/etc/ssh/ssh_host_rsa_key.pub': 'ssh-rsa AAAA',
  '/etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config.d/*.conf\n',
  '/etc/machine-id': '0123456789abcdef0123456789abcdef\n',
  '/var/lib/dbus/machine-id': '0123456789abcdef0123456789abcdef\n',
  '/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease': 'x',
  '/var/lib/apt/lists/lock': '',
  '/var/lib/apt/lists/partial/half': 'x',
  '/var/cache/apt/archives/bash_5.2_amd64.deb': 'deb',
  '/var/cache/apt/archives/lock': '',
  '/var/cache/apt/pkgcache.bin': 'bin',
  '/var/log/dpkg.log': 'install bash\n',
  '/var/log/apt/term.log': 'Setting up bash\n',
  '/var/log/apt/history.log.1.gz': 'gz',
  '/var/log/wtmp': 'x',
  '/root/.bash_history': 'ls\n',
  '/root/.profile': '# keep me\n',
  '/home/admin/.bash_history': 'sudo -i\n',
  '/home/admin/.python_history': 'import os\n',
  '/etc/resolv.conf': 'nameserver 10.0.0.2\nsearch build.internal\n',
  '/usr/sbin/policy-rc.d': '#!/bin/sh\nexit 101\n',
  '/usr/lib/systemd/systemd-resolved': '',
  '/tmp/build-scratch/file': 'x',
  '/tmp/.hidden': 'x',
  '/var/tmp/pip-cache/x': 'x',
};

test('hygiene removes build leftovers and keeps what the image needs', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const root = dir.path;
  await seed(root, BUILD_LEFTOVERS);
  await chmod(join(root, 'var/log/wtmp'), 0o664);
  const ctx = imageContext(root, { manifest: manifestWith() });
  const tasks = selectHygieneTasks(ctx.manifest).filter((task) => task.id !== 'base/audit-image');
  for (const task of tasks) await task.run(ctx);

  assert.deepEqual(await readdir(join(root, 'etc/ssh')), ['sshd_config'], 'host keys removed, config kept');
  assert.equal(await readFile(join(root, 'etc/machine-id'), 'utf8'), '', 'machine-id emptied, not removed');
  assert.equal(await readlink(join(root, 'var/lib/dbus/machine-id')), '/etc/machine-id');
  assert.deepEqual(await readdir(join(root, 'var/lib/apt/lists')), ['lock', 'partial']);
  assert.deepEqual(await readdir(join(root, 'var/lib/apt/lists/partial')), []);
  assert.deepEqual(await readdir(join(root, 'var/cache/apt/archives')), ['lock']);
  assert.ok(!(await exists(join(root, 'var/cache/apt/pkgcache.bin'))));
  assert.equal(await readFile(join(root, 'var/log/dpkg.log'), 'utf8'), '', 'logs truncated');
  assert.equal(await readFile(join(root, 'var/log/apt/term.log'), 'utf8'), '');
  assert.ok(!(await exists(join(root, 'var/log/apt/history.log.1.gz'))), 'rotated logs removed');
  assert.equal((await stat(join(root, 'var/log/wtmp'))).mode & 0o777, 0o664, 'truncation keeps the mode');
  assert.ok(!(await exists(join(root, 'root/.bash_history'))));
  assert.ok(await exists(join(root, 'root/.profile')));
  assert.deepEqual(await readdir(join(root, 'home/admin')), []);
  assert.equal(await readlink(join(root, 'etc/resolv.conf')), '../run/systemd/resolve/stub-resolv.conf');
  assert.ok(!(await exists(join(root, 'usr/sbin/policy-rc.d'))));
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
  assert.deepEqual(await readdir(join(root, 'var/tmp')), []);

  // Running everything again changes nothing and does not fail.
  for (const task of tasks) await task.run(ctx);
  assert.equal(await readFile(join(root, 'etc/machine-id'), 'utf8'), '');
});

test('without systemd-resolved in the image, resolv.conf is removed', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, { '/etc/resolv.conf': 'nameserver 10.0.0.2\n' });
  const task = selectHygieneTasks(manifestWith()).find((x) => x.id === 'base/reset-resolv-conf');
  await task?.run(imageContext(dir.path));
  assert.ok(!(await exists(join(dir.path, 'etc/resolv.conf'))));
});

test('removal refuses to descend into a mount point', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const mountinfo = join(dir.path, 'mountinfo');
  await writeFile(
    mountinfo,
    `36 35 98:0 / ${dir.path}/root/tmp/cache rw,noatime master:1 - ext4 /dev/sda1 rw\n`,
  );
  const rm = await safeRemover(imageContext(join(dir.path, 'root')), join(dir.path, 'root'), mountinfo);
  await assert.rejects(
    rm.remove(join(dir.path, 'root/tmp')),
    /refusing to delete .*\/root\/tmp: .*\/root\/tmp\/cache is mounted there/,
  );
  assert.equal(rm.mountAt(join(dir.path, 'root/var')), undefined);
});
