/**
 * Runs the boot-time script the plugin installs, with sh, against a fake sysfs tree and stub
 * findmnt/growpart/resize2fs/xfs_growfs that record their arguments: proves the partition is found
 * from the mounted root at boot, whatever the disk is called, and that growpart's NOCHANGE is not an
 * error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SCRIPT } from '../../../../plugins/expand_root/boot-files.js';
import { tempDir } from '../../../helpers/fake-context.js';

const exec = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;

// Inside a describe: scripts/run-tests.mjs runs several files per process.
describe('expand_root script', () => {
  beforeEach(async () => {
    const t = await tempDir('expand-root-script-');
    dir = t.path;
    cleanup = t.cleanup;
    await mkdir(join(dir, 'bin'));
    await mkdir(join(dir, 'sys/dev/block'), { recursive: true });
    await writeFile(join(dir, 'expand-root'), SCRIPT, { mode: 0o755 });
    const stub = (name: string, body: string) =>
      writeFile(join(dir, 'bin', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    await stub('findmnt', `echo "$*" >> "${dir}/calls"; cat "${dir}/findmnt.out"`);
    await stub('growpart', `echo "growpart $*" >> "${dir}/calls"; exit "$(cat "${dir}/growpart.rc")"`);
    await stub('resize2fs', `echo "resize2fs $*" >> "${dir}/calls"`);
    await stub('xfs_growfs', `echo "xfs_growfs $*" >> "${dir}/calls"`);
    await writeFile(join(dir, 'growpart.rc'), '0\n');
  });
  afterEach(() => cleanup());

  /** A disk with a partition in the fake sysfs, as the kernel lays it out. */
  async function disk(diskName: string, partName: string, number: number, majmin: string): Promise<void> {
    const node = join(dir, 'sys/devices/pci0000:00/block', diskName, partName);
    await mkdir(node, { recursive: true });
    await writeFile(join(node, 'partition'), `${number}\n`);
    await symlink(node, join(dir, 'sys/dev/block', majmin));
  }

  async function run(findmnt: string): Promise<{ code: number; stdout: string; calls: string[] }> {
    await writeFile(join(dir, 'findmnt.out'), `${findmnt}\n`);
    const env = { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, EXPAND_ROOT_SYSFS: join(dir, 'sys') };
    let code = 0;
    let stdout = '';
    try {
      stdout = (await exec('sh', [join(dir, 'expand-root')], { env })).stdout;
    } catch (err) {
      const e = err as { code: number; stdout: string };
      code = e.code;
      stdout = e.stdout;
    }
    const calls = (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    return { code, stdout, calls };
  }

  describe('expand-root script (boot time)', () => {
    it('grows the partition that holds / on the disk found at boot, then its ext4 filesystem', async () => {
      await disk('vda', 'vda3', 3, '254:3');
      const r = await run('254:3 ext4');
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(r.calls, [
        '--noheadings --raw --output MAJ:MIN,FSTYPE --mountpoint /',
        'growpart /dev/vda 3',
        'resize2fs /dev/vda3',
      ]);
    });

    it('finds NVMe names (the EC2 case where build-time /dev/xvdf names were wrong, bootstrap-vz #304)', async () => {
      await disk('nvme0n1', 'nvme0n1p1', 1, '259:1');
      const r = await run('259:1 xfs');
      assert.equal(r.code, 0, r.stdout);
      assert.deepEqual(r.calls.slice(1), ['growpart /dev/nvme0n1 1', 'xfs_growfs /']);
    });

    it("treats growpart's NOCHANGE (exit 1) as success and still resizes the filesystem", async () => {
      await disk('sda', 'sda1', 1, '8:1');
      await writeFile(join(dir, 'growpart.rc'), '1\n');
      const r = await run('8:1 ext3');
      assert.equal(r.code, 0, r.stdout);
      assert.match(r.stdout, /already fills \/dev\/sda/);
      assert.deepEqual(r.calls.slice(1), ['growpart /dev/sda 1', 'resize2fs /dev/sda1']);
    });

    it('fails when growpart fails', async () => {
      await disk('vda', 'vda1', 1, '254:1');
      await writeFile(join(dir, 'growpart.rc'), '2\n');
      const r = await run('254:1 ext4');
      assert.equal(r.code, 2);
      assert.deepEqual(r.calls.slice(1), ['growpart /dev/vda 1']);
    });

    it('does nothing when / is not on a partition', async () => {
      await mkdir(join(dir, 'sys/devices/virtual/block/dm-0'), { recursive: true });
      await symlink(join(dir, 'sys/devices/virtual/block/dm-0'), join(dir, 'sys/dev/block/253:0'));
      const r = await run('253:0 ext4');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /not on a disk partition/);
      assert.equal(r.calls.length, 1);
    });

    it('refuses filesystems it cannot grow', async () => {
      await disk('vda', 'vda2', 2, '254:2');
      const r = await run('254:2 btrfs');
      assert.equal(r.code, 1);
    });
  });

  describe('expand-root script file', () => {
    it('is valid sh', async () => {
      await chmod(join(dir, 'expand-root'), 0o755);
      await exec('sh', ['-n', join(dir, 'expand-root')]);
    });
  });
});
