import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { VolumeInfo } from '../../../../src/api/index.js';
import { fstabEntries, renderFstab, writeFstab } from '../../../../src/base/system/write-fstab.js';
import { hostFs, tempDir } from '../../../helpers/fake-context.js';
import { gptVolume, imageContext, msdosVolume } from './fixtures.js';

test('fstab for a gpt layout: root first, parents before children, ESP umask, swap last, by UUID', () => {
  assert.equal(
    renderFstab(gptVolume()),
    [
      '# /etc/fstab: static file system information, written by the image bootstrapper.',
      '# Filesystems are named by UUID so the image boots whatever the disk is called.',
      '# <file system> <mount point> <type> <options> <dump> <pass>',
      'UUID=e0e0e0e0-0000-4000-8000-000000000005 /         ext4 defaults,noatime 0 1',
      'UUID=b0b0b0b0-0000-4000-8000-000000000003 /boot     ext2 defaults         0 2',
      'UUID=fafafafa-0000-4000-8000-000000000006 /var      xfs  defaults         0 0',
      'UUID=ABCD-1234                            /boot/efi vfat umask=0077       0 2',
      'UUID=5a5a5a5a-0000-4000-8000-000000000004 none      swap sw               0 0',
      '',
    ].join('\n'),
  );
});

test('fstab for a root-only msdos layout', () => {
  assert.deepEqual(fstabEntries(msdosVolume()), [
    {
      spec: 'UUID=0123abcd-0000-4000-8000-000000000001',
      file: '/',
      type: 'ext4',
      options: 'defaults',
      dump: 0,
      pass: 1,
    },
  ]);
});

test('fstab never names a device node; a partition without a UUID is an error', () => {
  assert.ok(!renderFstab(gptVolume()).includes('/dev/'));
  const volume = gptVolume();
  const broken: VolumeInfo = {
    ...volume,
    partitions: volume.partitions.map((p) => {
      if (p.name !== 'boot') return p;
      const { uuid: _uuid, ...rest } = p;
      return rest;
    }),
  };
  assert.throws(() => fstabEntries(broken), /partition boot has no filesystem UUID/);
});

test('base/write-fstab writes /etc/fstab under the image root', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await hostFs.mkdir(join(dir.path, 'etc'));
  await writeFstab.run(imageContext(dir.path, { volume: gptVolume() }));
  const text = await hostFs.readFile(join(dir.path, 'etc/fstab'));
  assert.match(text, /^UUID=e0e0e0e0-0000-4000-8000-000000000005 \/ +ext4/m);
});

/** The gpt layout with one partition's mount point and options replaced by hostile values. */
function hostileVolume(mountpoint: string, mountopts: string[]): VolumeInfo {
  const v = gptVolume();
  return {
    ...v,
    partitions: v.partitions.map((p) => (p.name === 'var' ? { ...p, mountpoint, mountopts } : p)),
  };
}

test('fstab escapes blanks and backslashes in a field as octal (\\040, \\011, \\134)', () => {
  const text = renderFstab(hostileVolume('/srv/my data\tx\\y', ['defaults']));
  const line = text.split('\n').find((l) => l.includes('fafafafa')) ?? '';
  assert.match(line, /^UUID=fafafafa-\S+ +\/srv\/my\\040data\\011x\\134y +xfs +defaults +0 0$/);
  // still six fields, one line per filesystem
  assert.equal(line.trim().split(/\s+/).length, 6);
});

test('fstab refuses a newline or another control character in any field (no extra line)', () => {
  for (const [mountpoint, opts] of [
    ['/var\n/dev/sda1 / ext4 defaults 0 1', ['defaults']],
    ['/var', ['defaults\nUUID=x / ext4 rw 0 1']],
    ['/var', ['noatime\r']],
    ['/var\u0000', ['defaults']],
  ] as const) {
    assert.throws(
      () => renderFstab(hostileVolume(mountpoint, [...opts])),
      (e: Error) => e.name === 'BuildError' && /newline or another control character/.test(e.message),
      JSON.stringify([mountpoint, opts]),
    );
  }
});

test('fstab: a blank in the options is escaped, never a seventh field', () => {
  const line =
    renderFstab(hostileVolume('/var', ['defaults', 'x-systemd.after=a b']))
      .split('\n')
      .find((l) => l.includes('fafafafa')) ?? '';
  assert.equal(line.trim().split(/\s+/).length, 6);
  assert.ok(line.includes('x-systemd.after=a\\040b'));
});
