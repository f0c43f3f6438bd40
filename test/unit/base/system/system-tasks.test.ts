import assert from 'node:assert/strict';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENABLED_UNITS, PACKAGES } from '../../../../src/api/index.js';
import { selectSystemTasks } from '../../../../src/base/system/index.js';
import { addKernelPackage, kernelPackage } from '../../../../src/base/system/add-kernel-package.js';
import { addLocalePackages } from '../../../../src/base/system/add-locale-packages.js';
import { addNetworkPackages } from '../../../../src/base/system/add-network-packages.js';
import { configureLocale, enableLocaleGenLine } from '../../../../src/base/system/configure-locale.js';
import { configureNetworking, DHCP_NETWORK_FILE } from '../../../../src/base/system/configure-networking.js';
import { configureSshd, SSHD_DROP_IN } from '../../../../src/base/system/configure-sshd.js';
import { configureTimezone } from '../../../../src/base/system/configure-timezone.js';
import { enableUnits } from '../../../../src/base/system/enable-units.js';
import { lockRootAccount } from '../../../../src/base/system/lock-root-account.js';
import { imageHostname, renderHosts, setHostname } from '../../../../src/base/system/set-hostname.js';
import {
  addSshKeyRegeneration,
  SSH_KEYGEN_UNIT,
} from '../../../../src/base/system/add-ssh-key-regeneration.js';
import { localeChoice } from '../../../../src/base/system/locale-name.js';
import { tempDir, TestRunner } from '../../../helpers/fake-context.js';
import { imageContext, manifestWith, seed } from './fixtures.js';

async function withRoot(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await tempDir();
  t.after(dir.cleanup);
  return dir.path;
}

test('kernel package: cloud kernel for cloud providers on new releases, generic otherwise', () => {
  assert.equal(kernelPackage(manifestWith()), 'linux-image-cloud-amd64');
  assert.equal(kernelPackage(manifestWith({ architecture: 'arm64' })), 'linux-image-cloud-arm64');
  assert.equal(kernelPackage(manifestWith({ architecture: 'arm64' }, {}, '10')), 'linux-image-arm64');
  assert.equal(kernelPackage(manifestWith({}, {}, '9')), 'linux-image-amd64');
  assert.equal(kernelPackage(manifestWith({ architecture: 'i386' })), 'linux-image-686-pae');
  assert.equal(kernelPackage(manifestWith({}, { provider: { name: 'virtualbox' } })), 'linux-image-amd64');
  assert.equal(
    kernelPackage(manifestWith({}, { provider: { name: 'kvm', kernel: 'linux-image-rt-amd64' } })),
    'linux-image-rt-amd64',
  );
  assert.equal(kernelPackage(manifestWith({}, { packages: { install: ['linux-image-amd64'] } })), undefined);
});

test('preparation tasks add their packages and units', async () => {
  const ctx = imageContext('/nonexistent', { manifest: manifestWith() });
  for (const task of [addKernelPackage, addLocalePackages, addNetworkPackages]) await task.run(ctx);
  assert.deepEqual([...ctx.state.get(PACKAGES)].sort(), [
    'dbus',
    'iproute2',
    'linux-image-cloud-amd64',
    'locales',
    'systemd-resolved',
    'systemd-sysv',
    'tzdata',
    'udev',
  ]);
  assert.deepEqual([...ctx.state.get(ENABLED_UNITS)].sort(), [
    'systemd-networkd.service',
    'systemd-resolved.service',
  ]);
  const c = imageContext('/nonexistent', { manifest: manifestWith({ locale: 'C' }, {}, '11') });
  await addLocalePackages.run(c);
  await addNetworkPackages.run(c);
  assert.ok(!c.state.get(PACKAGES).has('locales'));
  assert.ok(
    !c.state.get(PACKAGES).has('systemd-resolved'),
    'systemd-resolved is part of systemd before bookworm',
  );
});

test('locale: en_US + UTF-8 is generated; C needs no locale-gen', async (t) => {
  assert.deepEqual(localeChoice(manifestWith()), { lang: 'en_US.UTF-8', localeGenLine: 'en_US.UTF-8 UTF-8' });
  assert.deepEqual(localeChoice(manifestWith({ locale: 'C' })), { lang: 'C.UTF-8' });
  assert.throws(() => localeChoice(manifestWith({ locale: 'en_US; rm -rf /' })), /invalid system.locale/);
  assert.equal(
    enableLocaleGenLine('# de_DE.UTF-8 UTF-8\n# en_US.UTF-8 UTF-8\n', 'en_US.UTF-8 UTF-8'),
    '# de_DE.UTF-8 UTF-8\nen_US.UTF-8 UTF-8\n',
  );
  assert.equal(enableLocaleGenLine('', 'en_US.UTF-8 UTF-8'), 'en_US.UTF-8 UTF-8\n');

  const root = await withRoot(t);
  await seed(root, { '/etc/locale.gen': '# en_US.UTF-8 UTF-8\n', '/etc/default/.keep': '' });
  const runner = new TestRunner();
  await configureLocale.run(imageContext(root, { runner }));
  assert.deepEqual(runner.lines(), ['[chroot] locale-gen']);
  assert.equal(await readFile(join(root, 'etc/locale.gen'), 'utf8'), 'en_US.UTF-8 UTF-8\n');
  assert.match(await readFile(join(root, 'etc/default/locale'), 'utf8'), /^LANG=en_US\.UTF-8$/m);
});

test('timezone: /etc/timezone and an absolute /etc/localtime link; unknown zones fail', async (t) => {
  const root = await withRoot(t);
  await seed(root, { '/usr/share/zoneinfo/Europe/Berlin': 'TZif', '/etc/localtime': 'old' });
  await configureTimezone.run(imageContext(root, { manifest: manifestWith({ timezone: 'Europe/Berlin' }) }));
  assert.equal(await readFile(join(root, 'etc/timezone'), 'utf8'), 'Europe/Berlin\n');
  assert.equal(await readlink(join(root, 'etc/localtime')), '/usr/share/zoneinfo/Europe/Berlin');
  await assert.rejects(
    configureTimezone.run(imageContext(root, { manifest: manifestWith({ timezone: 'Mars/Olympus' }) })),
    /not in the image's tzdata/,
  );
  await assert.rejects(
    configureTimezone.run(imageContext(root, { manifest: manifestWith({ timezone: '../../etc/passwd' }) })),
    /invalid system.timezone/,
  );
});

test('hostname: expanded from the manifest, localhost by default, /etc/hosts with 127.0.1.1', async (t) => {
  assert.equal(imageHostname(manifestWith()), 'localhost');
  assert.equal(imageHostname(manifestWith({ hostname: 'build-{system.release}' })), 'build-bookworm');
  assert.throws(() => imageHostname(manifestWith({ hostname: 'bad_name!' })), /not a valid hostname/);
  assert.equal(
    renderHosts('web1.example.org'),
    '127.0.0.1\tlocalhost\n127.0.1.1\tweb1.example.org web1\n\n' +
      '# The following lines are desirable for IPv6 capable hosts\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
      'ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n',
  );
  assert.ok(!renderHosts('localhost').includes('127.0.1.1'));

  const root = await withRoot(t);
  await seed(root, { '/etc/hostname': 'buildhost\n' });
  await setHostname.run(
    imageContext(root, { manifest: manifestWith({ hostname: 'debian-{system.release}' }) }),
  );
  assert.equal(await readFile(join(root, 'etc/hostname'), 'utf8'), 'debian-bookworm\n');
  assert.match(await readFile(join(root, 'etc/hosts'), 'utf8'), /^127\.0\.1\.1\tdebian-bookworm$/m);
});

test('networking: a networkd file that DHCPs on en* and eth*', async (t) => {
  const root = await withRoot(t);
  await configureNetworking.run(imageContext(root));
  const text = await readFile(join(root, DHCP_NETWORK_FILE), 'utf8');
  assert.match(text, /^\[Match\]\nName=en\* eth\*$/m);
  assert.match(text, /^DHCP=yes$/m);
});

test('sshd: a drop-in when sshd_config includes sshd_config.d, else a block on top of sshd_config', async (t) => {
  const root = await withRoot(t);
  await seed(root, {
    '/etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config.d/*.conf\n#PasswordAuthentication yes\n',
  });
  await configureSshd.run(imageContext(root));
  assert.match(await readFile(join(root, SSHD_DROP_IN), 'utf8'), /^PasswordAuthentication no$/m);

  const old = await withRoot(t);
  await seed(old, { '/etc/ssh/sshd_config': 'PermitRootLogin yes\n' });
  await configureSshd.run(imageContext(old));
  await configureSshd.run(imageContext(old));
  const text = await readFile(join(old, 'etc/ssh/sshd_config'), 'utf8');
  assert.ok(
    text.indexOf('PermitRootLogin prohibit-password') < text.indexOf('PermitRootLogin yes'),
    'first match wins',
  );
  assert.equal(text.split('BEGIN image bootstrapper').length, 2, 'the block is added once');
});

test('root is locked and units are enabled in the chroot', async (t) => {
  const root = await withRoot(t);
  const runner = new TestRunner();
  const ctx = imageContext(root, { runner });
  await lockRootAccount.run(ctx);
  await addSshKeyRegeneration.run(ctx);
  ctx.state.get(ENABLED_UNITS).add('systemd-networkd.service');
  await enableUnits.run(ctx);
  assert.deepEqual(runner.lines(), [
    '[chroot] passwd --lock root',
    `[chroot] systemctl enable ${SSH_KEYGEN_UNIT} systemd-networkd.service`,
  ]);
  assert.equal(runner.calls[1]?.options?.env?.['SYSTEMD_OFFLINE'], '1');
  const unit = await readFile(join(root, 'etc/systemd/system', SSH_KEYGEN_UNIT), 'utf8');
  assert.match(unit, /^ConditionPathExistsGlob=!\/etc\/ssh\/ssh_host_\*_key$/m);
  assert.match(unit, /^Before=ssh\.service$/m);
  assert.ok((await lstat(join(root, 'etc/systemd/system', SSH_KEYGEN_UNIT))).isFile());
  ctx.state.get(ENABLED_UNITS).add('--now');
  await assert.rejects(enableUnits.run(ctx), /invalid systemd unit name "--now"/);
});

test('selectSystemTasks plans the hardening whatever the plugins: the plugins that replace it remove it', () => {
  const ids = (m: ReturnType<typeof manifestWith>) =>
    selectSystemTasks(m)
      .map((t) => t.id)
      .sort();
  const plain = ids(manifestWith());
  assert.ok(plain.includes('base/configure-sshd') && plain.includes('base/lock-root-account'));
  assert.ok(plain.includes('base/add-ssh-key-regeneration') && plain.includes('base/write-fstab'));
  // root_password and cloud_init own their removals (test/unit/core/task-removal-owners.test.ts).
  assert.deepEqual(ids(manifestWith({}, { plugins: { root_password: { password: 'x' } } })), plain);
  assert.deepEqual(ids(manifestWith({}, { plugins: { cloud_init: {} } })), plain);
});
