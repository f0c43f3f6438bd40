import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { GRUB_DEFAULTS, KERNEL_CMDLINE, PACKAGES, type TaskContext } from '../../../../src/api/index.js';
import { addBootloaderPackages } from '../../../../src/base/bootloader/add-bootloader-packages.js';
import { addConsoleCmdline } from '../../../../src/base/bootloader/add-console-cmdline.js';
import { bootMode } from '../../../../src/base/bootloader/boot-mode.js';
import { bootloaderPackages } from '../../../../src/base/bootloader/bootloader-packages.js';
import {
  grubEfiDebconf,
  grubInstallCommands,
} from '../../../../src/base/bootloader/grub-install-commands.js';
import { selectBootloaderTasks } from '../../../../src/base/bootloader/index.js';
import { initGrubDefaults } from '../../../../src/base/bootloader/init-grub-defaults.js';
import { espGrubStub } from '../../../../src/base/bootloader/esp-files.js';
import { createInstallGrubTask } from '../../../../src/base/bootloader/install-grub.js';
import { checkGrubConfig, createUpdateGrubTask } from '../../../../src/base/bootloader/update-grub.js';
import {
  GRUB_DROP_IN,
  renderGrubDefaults,
  writeGrubDefaults,
} from '../../../../src/base/bootloader/write-grub-defaults.js';
import { tempDir, TestRunner } from '../../../helpers/fake-context.js';
import { gptVolume, imageContext, manifestWith, msdosVolume, seed } from '../system/fixtures.js';

/** Stands in for withSpecialMounts: runs fn and counts the calls. */
function passThrough() {
  const calls: string[] = [];
  return {
    calls,
    withMounts: async <T>(_ctx: TaskContext, root: string, fn: () => Promise<T>): Promise<T> => {
      calls.push(root);
      return fn();
    },
  };
}

test('grub-install argv for bios, uefi, hybrid and arm64', () => {
  const volume = gptVolume();
  assert.deepEqual(grubInstallCommands(manifestWith(), volume), [
    ['grub-install', '--target=i386-pc', '--boot-directory=/boot', '/dev/loop0'],
  ]);
  const efi = (target: string, secure: string) => [
    'grub-install',
    `--target=${target}`,
    '--efi-directory=/boot/efi',
    '--boot-directory=/boot',
    '--bootloader-id=debian',
    '--no-nvram',
    '--force-extra-removable',
    secure,
  ];
  assert.deepEqual(grubInstallCommands(manifestWith({ boot_mode: 'uefi' }), volume), [
    efi('x86_64-efi', '--uefi-secure-boot'),
  ]);
  assert.deepEqual(grubInstallCommands(manifestWith({ boot_mode: 'hybrid' }), volume), [
    ['grub-install', '--target=i386-pc', '--boot-directory=/boot', '/dev/loop0'],
    efi('x86_64-efi', '--uefi-secure-boot'),
  ]);
  assert.deepEqual(grubInstallCommands(manifestWith({ architecture: 'arm64' }), volume), [
    efi('arm64-efi', '--uefi-secure-boot'),
  ]);
  assert.deepEqual(grubInstallCommands(manifestWith({ architecture: 'arm64' }, {}, '10'), volume), [
    efi('arm64-efi', '--no-uefi-secure-boot'),
  ]);
});

test('boot modes: arm64 defaults to uefi and refuses bios; i386 refuses uefi', () => {
  assert.equal(bootMode(manifestWith()), 'bios');
  assert.equal(bootMode(manifestWith({ architecture: 'arm64' })), 'uefi');
  assert.throws(
    () => bootMode(manifestWith({ architecture: 'arm64', boot_mode: 'hybrid' })),
    /not possible on arm64/,
  );
  assert.throws(
    () => bootMode(manifestWith({ architecture: 'i386', boot_mode: 'uefi' })),
    /not supported on i386/,
  );
});

test('grub packages per boot mode never mix grub-pc with grub-efi-amd64', async () => {
  assert.deepEqual(bootloaderPackages(manifestWith()).packages, ['grub-pc']);
  assert.deepEqual(bootloaderPackages(manifestWith({ boot_mode: 'uefi' })).packages, [
    'grub-efi-amd64',
    'dosfstools',
    'grub-efi-amd64-signed',
    'shim-signed',
  ]);
  assert.deepEqual(bootloaderPackages(manifestWith({ boot_mode: 'hybrid' })), {
    packages: ['grub-cloud-amd64', 'dosfstools'],
    secureBoot: true,
    grubCloud: true,
  });
  assert.deepEqual(bootloaderPackages(manifestWith({ boot_mode: 'hybrid' }, {}, '9')).packages, [
    'grub-pc',
    'grub-efi-amd64-bin',
    'dosfstools',
  ]);
  assert.deepEqual(bootloaderPackages(manifestWith({ architecture: 'arm64' })).packages, [
    'grub-efi-arm64',
    'dosfstools',
    'grub-efi-arm64-signed',
    'shim-signed',
  ]);
  assert.deepEqual(bootloaderPackages(manifestWith({ bootloader: 'extlinux' })).packages, ['extlinux']);
  for (const mode of ['bios', 'uefi', 'hybrid'] as const) {
    const p = bootloaderPackages(manifestWith({ boot_mode: mode })).packages;
    assert.ok(!(p.includes('grub-pc') && p.includes('grub-efi-amd64')), mode);
  }
  const ctx = imageContext('/nonexistent', { manifest: manifestWith({ boot_mode: 'uefi' }) });
  await addBootloaderPackages.run(ctx);
  assert.ok(ctx.state.get(PACKAGES).has('shim-signed'));
  assert.match(
    grubEfiDebconf(manifestWith({ boot_mode: 'uefi' })) ?? '',
    /^grub-efi-amd64 grub2\/force_efi_extra_removable boolean true$/m,
  );
  assert.equal(grubEfiDebconf(manifestWith()), undefined);
});

test('grub defaults drop-in: defaults, console arguments, quoting', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  const ctx = imageContext(dir.path);
  ctx.state.get(KERNEL_CMDLINE).push('net.ifnames=0');
  await addConsoleCmdline.run(ctx);
  await initGrubDefaults.run(ctx);
  await writeGrubDefaults.run(ctx);
  assert.equal(
    await readFile(join(dir.path, GRUB_DROP_IN), 'utf8'),
    [
      '# Written by the image bootstrapper; sourced by grub-mkconfig after /etc/default/grub.',
      '# Run update-grub after changing it.',
      "GRUB_TIMEOUT='1'",
      "GRUB_CMDLINE_LINUX_DEFAULT=''",
      "GRUB_TERMINAL='console serial'",
      "GRUB_SERIAL_COMMAND='serial --speed=115200'",
      "GRUB_DISABLE_OS_PROBER='true'",
      "GRUB_DISABLE_LINUX_UUID='false'",
      "GRUB_DISABLE_RECOVERY='true'",
      "GRUB_CMDLINE_LINUX='net.ifnames=0 console=tty0 console=ttyS0,115200'",
      '',
    ].join('\n'),
  );
  const text = renderGrubDefaults(
    new Map([
      ['GRUB_CMDLINE_LINUX', 'a b'],
      ['GRUB_DISTRIBUTOR', "it's $(id)"],
    ]),
    ['b', 'c'],
  );
  assert.match(text, /^GRUB_DISTRIBUTOR='it'\\''s \$\(id\)'$/m);
  assert.match(text, /^GRUB_CMDLINE_LINUX='a b c'$/m);
  assert.throws(() => renderGrubDefaults(new Map([['PATH', 'x']]), []), /invalid \/etc\/default\/grub key/);
  const preset = imageContext(dir.path);
  preset.state.get(GRUB_DEFAULTS).set('GRUB_TIMEOUT', '5');
  await initGrubDefaults.run(preset);
  assert.equal(preset.state.get(GRUB_DEFAULTS).get('GRUB_TIMEOUT'), '5', 'values set earlier win');
});

test('install-grub runs grub-install inside the special mounts and marks grub-cloud images', async (t) => {
  const dir = await tempDir();
  t.after(dir.cleanup);
  await seed(dir.path, { '/etc/grub.d/10_linux': '' });
  const runner = new TestRunner();
  const mounts = passThrough();
  const task = createInstallGrubTask({ withMounts: mounts.withMounts, espMounted: async () => true });
  await task.run(
    imageContext(dir.path, { runner, volume: gptVolume(), manifest: manifestWith({ boot_mode: 'hybrid' }) }),
  );
  assert.deepEqual(mounts.calls, [dir.path]);
  assert.deepEqual(runner.lines(), [
    '[chroot] grub-install --target=i386-pc --boot-directory=/boot /dev/loop0',
    '[chroot] grub-install --target=x86_64-efi --efi-directory=/boot/efi --boot-directory=/boot --bootloader-id=debian --no-nvram --force-extra-removable --uefi-secure-boot',
  ]);
  assert.ok((await lstat(join(dir.path, 'etc/grub.d/enable_cloud'))).isFile());

  const uefi = new TestRunner();
  await task.run(
    imageContext(dir.path, {
      runner: uefi,
      volume: gptVolume(),
      manifest: manifestWith({ boot_mode: 'uefi' }),
    }),
  );
  assert.equal(uefi.lines()[0], '[chroot] debconf-set-selections');
  assert.match(String(uefi.calls[0]?.options?.input), /grub2\/update_nvram boolean false/);
});

const GOOD_CFG = (uuid: string) =>
  `menuentry 'Debian' {\n\tsearch --no-floppy --fs-uuid --set=root ${uuid}\n\tlinux /boot/vmlinuz-6.1.0 root=UUID=${uuid} ro console=ttyS0,115200\n}\n`;

test('update-grub links by-uuid for the run, removes the links, and accepts a UUID grub.cfg', async (t) => {
  const root = await tempDir();
  const dev = await tempDir('bootstrap-dev-');
  t.after(root.cleanup);
  t.after(dev.cleanup);
  const volume = msdosVolume();
  const uuid = '0123abcd-0000-4000-8000-000000000001';
  let linkTarget: string | undefined;
  const runner = new TestRunner();
  const task = createUpdateGrubTask({
    devDir: dev.path,
    withMounts: async (_ctx, _root, fn) => {
      // What grub-mkconfig tests: the link exists while update-grub runs.
      linkTarget = await readlink(join(dev.path, 'disk/by-uuid', uuid));
      const r = await fn();
      await seed(root.path, { '/boot/grub/grub.cfg': GOOD_CFG(uuid) });
      return r;
    },
  });
  await task.run(imageContext(root.path, { runner, volume }));
  assert.deepEqual(runner.lines(), ['[chroot] update-grub']);
  assert.equal(linkTarget, '/dev/loop3p1');
  assert.deepEqual(await readdir(dev.path), [], 'links and the directories made for them are gone');
});

test('the by-uuid link is removed even when update-grub fails, and undo is idempotent', async (t) => {
  const root = await tempDir();
  const dev = await tempDir('bootstrap-dev-');
  t.after(root.cleanup);
  t.after(dev.cleanup);
  await seed(dev.path, { '/disk/by-uuid/.keep': '' });
  let present = false;
  const task = createUpdateGrubTask({
    devDir: dev.path,
    withMounts: async () => {
      present = (
        await lstat(join(dev.path, 'disk/by-uuid/e0e0e0e0-0000-4000-8000-000000000005'))
      ).isSymbolicLink();
      throw new Error('update-grub exploded');
    },
  });
  const ctx = imageContext(root.path, { volume: gptVolume() });
  await assert.rejects(task.run(ctx), /update-grub exploded/);
  assert.ok(present, 'the root link existed during update-grub');
  assert.deepEqual(await readdir(join(dev.path, 'disk/by-uuid')), ['.keep'], 'only our links are removed');
  assert.deepEqual(
    await readdir(join(dev.path, 'disk')),
    ['by-uuid'],
    'by-partuuid, which we created, is gone',
  );
  await task.undo?.(ctx);
  await task.undo?.(ctx);
  assert.deepEqual(await readdir(join(dev.path, 'disk/by-uuid')), ['.keep']);
});

test('a grub.cfg with a loop device or workspace path fails the build', async (t) => {
  const problems = checkGrubConfig(
    'linux /vmlinuz root=/dev/loop0p1 ro\nset prefix=/tmp/ws/root/boot/grub\n',
    {
      rootUuid: 'u-1',
      buildPaths: ['/tmp/ws'],
    },
  );
  assert.deepEqual(problems, [
    '/boot/grub/grub.cfg:1: build-host loop device path "/dev/loop0p1" in: linux /vmlinuz root=/dev/loop0p1 ro',
    '/boot/grub/grub.cfg:2: build workspace path "/tmp/ws" in: set prefix=/tmp/ws/root/boot/grub',
    '/boot/grub/grub.cfg: no kernel line boots root=UUID=u-1',
  ]);
  assert.deepEqual(checkGrubConfig(GOOD_CFG('u-1'), { rootUuid: 'u-1', buildPaths: ['/tmp/ws'] }), []);

  const root = await tempDir();
  const dev = await tempDir('bootstrap-dev-');
  t.after(root.cleanup);
  t.after(dev.cleanup);
  const task = createUpdateGrubTask({
    devDir: dev.path,
    withMounts: async (_c, _r, fn) => {
      await seed(root.path, { '/boot/grub/grub.cfg': 'linux /vmlinuz root=/dev/loop3p1 ro\n' });
      return fn();
    },
  });
  await assert.rejects(
    task.run(imageContext(root.path, { volume: msdosVolume() })),
    /grub\.cfg:1: build-host loop device path "\/dev\/loop3p1"/,
  );
  assert.deepEqual(await readdir(dev.path), []);
});

test('selectBootloaderTasks by bootloader', () => {
  const ids = (bootloader: 'grub' | 'extlinux' | 'none') =>
    selectBootloaderTasks(manifestWith({ bootloader })).map((t) => t.id);
  assert.deepEqual(ids('grub'), [
    'base/add-bootloader-packages',
    'base/add-console-cmdline',
    'base/init-grub-defaults',
    'base/write-grub-defaults',
    'base/install-grub',
    'base/update-grub',
  ]);
  assert.deepEqual(ids('extlinux'), [
    'base/add-bootloader-packages',
    'base/add-console-cmdline',
    'base/configure-extlinux',
    'base/install-extlinux',
  ]);
  assert.deepEqual(ids('none'), []);
});

test('without a mounted ESP, the signed shim and GRUB are copied into it with mtools', async (t) => {
  const root = await tempDir();
  const ws = await tempDir('bootstrap-ws-');
  t.after(root.cleanup);
  t.after(ws.cleanup);
  const staged: string[] = [];
  const runner = new TestRunner((argv) => {
    // What mcopy sees: the staged tree, with the stub config.
    if (argv[0] === 'mcopy') staged.push(readFileSync(join(String(argv.at(-2)), 'debian/grub.cfg'), 'utf8'));
    return undefined;
  });
  await seed(root.path, { '/etc/grub.d/10_linux': '' });
  const task = createInstallGrubTask({ withMounts: (_c, _r, fn) => fn(), espMounted: async () => false });
  const ctx = imageContext(root.path, {
    runner,
    volume: gptVolume(),
    workspace: ws.path,
    manifest: manifestWith({ boot_mode: 'hybrid' }),
  });
  await task.run(ctx);
  const staging = join(ws.path, 'esp-staging');
  assert.deepEqual(runner.lines(), [
    '[chroot] grub-install --target=i386-pc --boot-directory=/boot /dev/loop0',
    `cp ${root.path}/usr/lib/shim/shimx64.efi.signed ${staging}/EFI/debian/shimx64.efi`,
    `cp ${root.path}/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed ${staging}/EFI/debian/grubx64.efi`,
    `cp ${root.path}/usr/lib/shim/mmx64.efi.signed ${staging}/EFI/debian/mmx64.efi`,
    `cp ${root.path}/usr/lib/shim/shimx64.efi.signed ${staging}/EFI/BOOT/BOOTX64.EFI`,
    `cp ${root.path}/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed ${staging}/EFI/BOOT/grubx64.efi`,
    `cp ${root.path}/usr/lib/shim/mmx64.efi.signed ${staging}/EFI/BOOT/mmx64.efi`,
    `mcopy -s -o -i /dev/loop0p2 ${staging}/EFI ::/`,
  ]);
  assert.deepEqual(
    staged,
    [espGrubStub('b0b0b0b0-0000-4000-8000-000000000003', true)],
    'the stub finds /boot by UUID',
  );
  assert.deepEqual(await readdir(ws.path), [], 'the staging directory is removed');
  assert.equal(
    espGrubStub('b0b0b0b0-0000-4000-8000-000000000003', true),
    "search.fs_uuid b0b0b0b0-0000-4000-8000-000000000003 root\nset prefix=($root)'/grub'\nconfigfile $prefix/grub.cfg\n",
  );
  await assert.rejects(
    task.run({ ...ctx, manifest: manifestWith({ boot_mode: 'hybrid' }, {}, '9') }),
    /not mounted and this release has no signed GRUB/,
  );
});

test('on a host without udev, empty /dev/disk directories left by another build are removed too', async (t) => {
  if (existsSync('/run/udev/control')) {
    t.skip('udev runs here: /dev/disk belongs to it');
    return;
  }
  const root = await tempDir();
  const dev = await tempDir('bootstrap-dev-');
  t.after(root.cleanup);
  t.after(dev.cleanup);
  await mkdir(join(dev.path, 'disk/by-uuid'), { recursive: true });
  const task = createUpdateGrubTask({
    devDir: dev.path,
    withMounts: async (_c, _r, fn) => {
      await seed(root.path, { '/boot/grub/grub.cfg': GOOD_CFG('0123abcd-0000-4000-8000-000000000001') });
      return fn();
    },
  });
  await task.run(imageContext(root.path, { volume: msdosVolume() }));
  assert.deepEqual(await readdir(dev.path), []);
});
