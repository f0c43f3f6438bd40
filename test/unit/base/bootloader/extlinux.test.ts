import assert from 'node:assert/strict';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { KERNEL_CMDLINE } from '../../../../src/api/index.js';
import {
  configureExtlinux,
  EXTLINUX_CONF,
  newestKernel,
  renderExtlinuxConfig,
  withLinkInBoot,
} from '../../../../src/base/bootloader/configure-extlinux.js';
import {
  createInstallExtlinuxTask,
  extlinuxDiskCommands,
} from '../../../../src/base/bootloader/install-extlinux.js';
import { tempDir, TestRunner } from '../../../helpers/fake-context.js';
import { gptVolume, imageContext, manifestWith, msdosVolume, seed } from '../system/fixtures.js';

test('extlinux.conf boots the root by UUID with the serial console', () => {
  assert.equal(
    renderExtlinuxConfig({
      rootUuid: 'u-1',
      separateBoot: false,
      cmdline: ['console=tty0', 'console=ttyS0,115200'],
    }),
    [
      '# Written by the image bootstrapper.',
      'SERIAL 0 115200',
      'DEFAULT debian',
      'PROMPT 0',
      'TIMEOUT 10',
      '',
      'LABEL debian',
      '  LINUX /boot/vmlinuz',
      '  INITRD /boot/initrd.img',
      '  APPEND root=UUID=u-1 ro console=tty0 console=ttyS0,115200',
      '',
    ].join('\n'),
  );
  const separate = renderExtlinuxConfig({ rootUuid: 'u-2', separateBoot: true, cmdline: [] });
  assert.match(separate, /^ {2}LINUX \/vmlinuz$/m, 'paths are relative to the /boot filesystem');
  assert.ok(!separate.includes('SERIAL'));
});

test('newest kernel and kernel-img.conf', () => {
  assert.equal(
    newestKernel(['config-6.1.0-9-amd64', 'vmlinuz-6.1.0-9-amd64', 'vmlinuz-6.1.0-10-amd64', 'grub']),
    '6.1.0-10-amd64',
  );
  assert.equal(newestKernel(['grub']), undefined);
  assert.equal(
    withLinkInBoot('do_symlinks = yes\nlink_in_boot = no\n'),
    'do_symlinks = yes\nlink_in_boot = yes\n',
  );
  assert.equal(withLinkInBoot(''), 'link_in_boot = yes\n');
});

test('base/configure-extlinux links /boot/vmlinuz to the kernel and writes the config', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, {
    '/etc/.keep': '',
    '/boot/vmlinuz-6.1.0-10-cloud-amd64': 'k',
    '/boot/initrd.img-6.1.0-10-cloud-amd64': 'i',
  });
  const ctx = imageContext(dir.path, { volume: msdosVolume() });
  ctx.state.get(KERNEL_CMDLINE).push('console=ttyS0,115200');
  await configureExtlinux.run(ctx);
  assert.equal(await readlink(join(dir.path, 'boot/vmlinuz')), 'vmlinuz-6.1.0-10-cloud-amd64');
  assert.equal(await readlink(join(dir.path, 'boot/initrd.img')), 'initrd.img-6.1.0-10-cloud-amd64');
  assert.equal(await readFile(join(dir.path, 'etc/kernel-img.conf'), 'utf8'), 'link_in_boot = yes\n');
  assert.match(
    await readFile(join(dir.path, EXTLINUX_CONF), 'utf8'),
    /APPEND root=UUID=0123abcd-0000-4000-8000-000000000001 ro console=ttyS0,115200/,
  );

  const empty = await tempDir();
  t.after(empty.cleanup);
  await assert.rejects(
    configureExtlinux.run(imageContext(empty.path, { volume: msdosVolume() })),
    /no kernel/,
  );
});

test('extlinux disk commands: mbr.bin + active flag on msdos, gptmbr.bin + LegacyBIOSBootable on /boot for gpt', () => {
  assert.deepEqual(extlinuxDiskCommands(msdosVolume(), '/ws/root'), [
    ['dd', 'if=/ws/root/usr/lib/EXTLINUX/mbr.bin', 'of=/dev/loop3', 'bs=440', 'count=1', 'conv=notrunc'],
    ['sfdisk', '--no-reread', '--no-tell-kernel', '--activate', '/dev/loop3', '1'],
  ]);
  assert.deepEqual(extlinuxDiskCommands(gptVolume(), '/ws/root'), [
    ['dd', 'if=/ws/root/usr/lib/EXTLINUX/gptmbr.bin', 'of=/dev/loop0', 'bs=440', 'count=1', 'conv=notrunc'],
    ['sfdisk', '--no-reread', '--no-tell-kernel', '--part-attrs', '/dev/loop0', '3', 'LegacyBIOSBootable'],
  ]);
  assert.deepEqual(extlinuxDiskCommands({ ...msdosVolume(), partitionMap: 'none' }, '/ws/root'), []);
});

test('base/install-extlinux installs in the chroot, then writes the MBR on the host', async () => {
  const runner = new TestRunner();
  const task = createInstallExtlinuxTask({ withMounts: (_c, _r, fn) => fn() });
  await task.run(
    imageContext('/ws/root', {
      runner,
      volume: msdosVolume(),
      manifest: manifestWith({ bootloader: 'extlinux' }),
    }),
  );
  assert.deepEqual(runner.lines(), [
    '[chroot] extlinux --install /boot/extlinux',
    'dd if=/ws/root/usr/lib/EXTLINUX/mbr.bin of=/dev/loop3 bs=440 count=1 conv=notrunc',
    'sfdisk --no-reread --no-tell-kernel --activate /dev/loop3 1',
  ]);
  await assert.rejects(
    task.run(
      imageContext('/ws/root', {
        runner,
        volume: gptVolume(),
        manifest: manifestWith({ bootloader: 'extlinux', boot_mode: 'uefi' }),
      }),
    ),
    /extlinux boots with BIOS only/,
  );
});
