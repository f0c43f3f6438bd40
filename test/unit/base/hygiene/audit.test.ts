import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { BuildError } from '../../../../src/api/index.js';
import { createAuditImageTask, hostNeedles } from '../../../../src/base/hygiene/audit-image.js';
import { tempDir } from '../../../helpers/fake-context.js';
import { imageContext, seed } from '../system/fixtures.js';

const CLEAN = {
  '/etc/fstab': '# comment\nUUID=e0e0e0e0 / ext4 defaults 0 1\n',
  '/etc/hostname': 'localhost\n',
  '/etc/hosts': '127.0.0.1\tlocalhost\n',
  '/boot/grub/grub.cfg': 'linux /vmlinuz root=UUID=e0e0e0e0 ro\n',
};

test('the audit passes a clean image', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, CLEAN);
  const ctx = imageContext(dir.path, { workspace: '/var/tmp/ws-1234' });
  await createAuditImageTask({ hostHostname: 'buildbox-7' }).run(ctx);
  assert.ok(ctx.logs.some((l) => l.includes('no build-host paths')));
});

test('the audit catches a planted /dev/loop0p1 in fstab and names file:line', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, {
    ...CLEAN,
    '/etc/fstab': '# comment\nUUID=e0e0e0e0 / ext4 defaults 0 1\n/dev/loop0p1 /boot ext2 defaults 0 2\n',
  });
  const task = createAuditImageTask({ hostHostname: 'buildbox-7' });
  await assert.rejects(task.run(imageContext(dir.path)), (e: unknown) => {
    assert.ok(e instanceof BuildError);
    assert.match(
      e.message,
      /\/etc\/fstab:3: build-host loop device path "\/dev\/loop0p1" in: \/dev\/loop0p1 \/boot ext2 defaults 0 2/,
    );
    return true;
  });
});

test('the audit catches the workspace path and the build host name, and skips symlinks', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, {
    ...CLEAN,
    '/etc/hosts': '127.0.0.1\tlocalhost\n127.0.1.1\tbuildbox-7.corp.example buildbox-7\n',
    '/boot/extlinux/extlinux.conf': 'LINUX /var/tmp/ws-1234/root/boot/vmlinuz\n',
  });
  await symlink('/etc/passwd', join(dir.path, 'etc/resolv.conf'));
  const ctx = imageContext(dir.path, { workspace: '/var/tmp/ws-1234' });
  await assert.rejects(
    createAuditImageTask({ hostHostname: 'buildbox-7.corp.example' }).run(ctx),
    (e: unknown) => {
      const message = (e as Error).message;
      assert.match(message, /\/etc\/hosts:2: build host name "buildbox-7\.corp\.example"/);
      assert.match(message, /\/boot\/extlinux\/extlinux\.conf:1: build workspace path "\/var\/tmp\/ws-1234"/);
      assert.ok(!message.includes('resolv.conf'));
      return true;
    },
  );
});

test('host name needles skip generic names and the name the manifest asked for', () => {
  assert.deepEqual(hostNeedles('localhost', 'localhost'), []);
  assert.deepEqual(hostNeedles('web1.example.org', 'web1.example.org'), []);
  assert.equal(hostNeedles('buildbox', 'localhost').length, 1);
  const [needle] = hostNeedles('ci', 'localhost');
  assert.ok(needle && !needle.pattern.test('127.0.1.1 circle'), 'whole words only');
  assert.ok(needle?.pattern.test('127.0.1.1 ci'));
});
