import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isAtOrBelow, mountPointsBelow, parseMountPoints, readMountinfo } from '../../../src/api/index.js';

const INFO = [
  '22 1 8:1 / / rw - ext4 /dev/sda1 rw',
  '90 22 7:0 / /ws/root rw - ext4 /dev/loop0p3 rw',
  '91 90 7:0 / /ws/root/boot rw - ext2 /dev/loop0p2 rw',
  '94 91 7:0 / /ws/root/boot/efi rw - vfat /dev/loop0p1 rw',
  '92 90 0:5 / /ws/root/my\\040dir rw - tmpfs tmpfs rw',
  '95 90 0:5 / /ws/root/my\\040dir rw - tmpfs tmpfs rw',
  '93 22 0:6 / /ws/rootfs rw - tmpfs tmpfs rw',
  '',
].join('\n');

describe('mountinfo', () => {
  it('parses every mount point, decoding octal escapes', () => {
    assert.deepEqual(parseMountPoints(INFO), [
      '/',
      '/ws/root',
      '/ws/root/boot',
      '/ws/root/boot/efi',
      '/ws/root/my dir',
      '/ws/root/my dir',
      '/ws/rootfs',
    ]);
  });

  it('lists the mounts strictly below a directory once each, deepest first, not its prefix siblings', () => {
    assert.deepEqual(mountPointsBelow(INFO, '/ws/root/'), [
      '/ws/root/boot/efi',
      '/ws/root/my dir',
      '/ws/root/boot',
    ]);
  });

  it('compares paths, not prefixes', () => {
    assert.equal(isAtOrBelow('/ws/root', '/ws/root'), true);
    assert.equal(isAtOrBelow('/ws/root/a', '/ws/root/'), true);
    assert.equal(isAtOrBelow('/ws/rootfs', '/ws/root'), false);
    assert.equal(isAtOrBelow('/anything', '/'), true);
  });

  it('reads a mountinfo file, and an unreadable one as empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mountinfo-'));
    try {
      await writeFile(join(dir, 'mountinfo'), INFO);
      assert.equal(await readMountinfo(join(dir, 'mountinfo')), INFO);
      assert.equal(await readMountinfo(join(dir, 'missing')), '');
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
