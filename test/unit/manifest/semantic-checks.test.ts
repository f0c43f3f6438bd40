import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VALID, edit, loadText } from './fake-registry.js';

const summary = (issues: readonly { line: number; col: number; pointer: string; message: string }[]) =>
  issues.map((e) => [e.line, e.col, e.pointer, e.message]);

test('grub cannot boot an unpartitioned volume; extlinux can', async () => {
  const grub = await loadText(edit(16, '    type: none'));
  assert.deepEqual(summary(grub.errors), [
    [9, 3, '/system/bootloader', 'grub cannot boot from an unpartitioned volume'],
  ]);
  const ext = await loadText(edit(16, '    type: none').replace('bootloader: grub', 'bootloader: extlinux'));
  assert.deepEqual(ext.errors, []);
});

test('uefi and hybrid boot modes need gpt; hybrid on msdos gets a hint', async () => {
  const hybrid = await loadText(
    edit(12, '  timezone: UTC\n  boot_mode: hybrid').replace('type: gpt', 'type: msdos'),
  );
  assert.deepEqual(summary(hybrid.errors), [
    [13, 3, '/system/boot_mode', 'boot_mode hybrid needs a gpt partition map, not msdos'],
  ]);
  assert.match(hybrid.errors[0]?.hint ?? '', /set volume.partitions.type to gpt/);
  const uefi = await loadText(
    edit(12, '  timezone: UTC\n  boot_mode: uefi').replace('bootloader: grub', 'bootloader: extlinux'),
  );
  assert.deepEqual(summary(uefi.errors), [[9, 3, '/system/bootloader', 'extlinux cannot boot in uefi mode']]);
  const ok = await loadText(
    edit(12, '  timezone: UTC\n  boot_mode: uefi') + '    efi:\n      size: 256MiB\n',
  );
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.warnings, []);
});

test('an EFI size without a UEFI boot mode is a warning, kept apart from errors', async () => {
  const r = await loadText(VALID + '    efi:\n      size: 256MiB\n');
  assert.deepEqual(r.errors, []);
  assert.ok(r.manifest);
  assert.deepEqual(summary(r.warnings), [
    [
      20,
      5,
      '/volume/partitions/efi',
      'an EFI system partition size is set, but boot_mode is bios, so there is no such partition',
    ],
  ]);
});

test('named partitions need gpt; type none allows only root', async () => {
  const msdos = await loadText(
    edit(16, '    type: msdos') + '    var:\n      filesystem: ext4\n      size: 1GiB\n',
  );
  assert.deepEqual(summary(msdos.errors), [
    [20, 5, '/volume/partitions/var', 'named partition "var" needs a gpt partition map, not msdos'],
  ]);
  const gpt = await loadText(VALID + '    var:\n      filesystem: ext4\n      size: 1GiB\n');
  assert.deepEqual(gpt.errors, []);
  const none = await loadText(
    edit(16, '    type: none').replace('bootloader: grub', 'bootloader: extlinux') +
      '    swap:\n      size: 1GiB\n',
  );
  assert.deepEqual(summary(none.errors), [
    [20, 5, '/volume/partitions/swap', 'a volume without partitions (type none) has only root, not swap'],
  ]);
});

test('sizes must be usable: not zero, whole sectors, and small ones warn', async () => {
  const zero = await loadText(edit(19, '      size: 0MiB'));
  assert.deepEqual(summary(zero.errors), [
    [19, 7, '/volume/partitions/root/size', 'size must be larger than 0'],
  ]);
  const odd = await loadText(edit(19, '      size: 1000B'));
  assert.deepEqual(summary(odd.errors), [
    [19, 7, '/volume/partitions/root/size', 'size 1000B is not a whole number of 512-byte sectors'],
  ]);
  const small = await loadText(edit(19, '      size: 256MiB').replace('filesystem: ext4', 'filesystem: xfs'));
  assert.deepEqual(small.errors, []);
  assert.deepEqual(
    small.warnings.map((w) => w.message),
    [
      'xfs needs at least 300MB; mkfs.xfs will refuse 256MiB',
      'root is only 256MiB; a Debian system with a kernel needs at least about 512MiB',
    ],
  );
});

test('debootstrap accepts only its own variants', async () => {
  const r = await loadText(edit(5, '  workspace: /target\n  tool: debootstrap\n  variant: essential'));
  assert.deepEqual(summary(r.errors), [
    [7, 3, '/bootstrapper/variant', 'debootstrap has no variant "essential"'],
  ]);
  const mm = await loadText(edit(5, '  workspace: /target\n  variant: essential'));
  assert.deepEqual(mm.errors, []);
});

test('the lvm-only keys are refused: no provider offers the lvm backing', async () => {
  const r = await loadText(edit(14, '  backing: raw\n  volumegroup: vg0'));
  assert.deepEqual(summary(r.errors), [
    [15, 3, '/volume/volumegroup', 'volumegroup belongs to the lvm backing, which no provider offers'],
  ]);
});

test("plugin and provider checks run, report at their pointers, and a throwing check is reported as the plugin's bug", async () => {
  const r = await loadText(
    edit(8, '  architecture: i386') + 'plugins:\n  admin_user:\n    username: root\n  broken_check: {}\n',
  );
  assert.deepEqual(summary(r.errors), [
    [22, 5, '/plugins/admin_user/username', 'the admin user cannot be root'],
    [23, 3, '/plugins/broken_check', 'internal error in the check of plugin "broken_check": boom'],
  ]);
  assert.deepEqual(summary(r.warnings), [[8, 3, '/system/architecture', 'i386 is slow on kvm']]);
  assert.equal(r.manifest, undefined);
});

test('a provider check error is reported (ec2 needs ebs)', async () => {
  const r = await loadText(edit(3, '  name: ec2\n  virtualization: hvm'));
  assert.deepEqual(summary(r.errors), [[15, 3, '/volume/backing', 'ec2 needs backing ebs']]);
});

test('conflicting plugins are reported once, naming both, at the key of the declaring plugin', async () => {
  const r = await loadText(
    VALID + 'plugins:\n  root_password:\n    password: longenough\n  admin_user:\n    username: admin\n',
  );
  assert.deepEqual(summary(r.errors), [
    [23, 3, '/plugins/admin_user', 'plugin "admin_user" cannot be used together with plugin "root_password"'],
  ]);
});

test('a valid manifest gives a frozen Manifest with plugin lookups and an absolute file', async () => {
  const r = await loadText(VALID + 'plugins:\n  admin_user:\n    username: admin\n');
  const m = r.manifest;
  assert.ok(m);
  assert.equal(m.file, r.file);
  assert.ok(m.file.startsWith('/'));
  assert.equal(m.isPluginEnabled('admin_user'), true);
  assert.equal(m.isPluginEnabled('root_password'), false);
  assert.deepEqual(m.pluginSettings('admin_user'), { username: 'admin' });
  assert.equal(m.pluginSettings('root_password'), undefined);
  assert.equal(Object.isFrozen(m.data.system), true);
  assert.throws(() => {
    (m.data.system as { release: string }).release = 'x';
  }, TypeError);
  assert.deepEqual(r.sources, [r.file]);
});
