/**
 * Which EC2 guest tasks a manifest plans (through the real loader and resolver), the packages they add,
 * and the files they write: valid shell, no device name of the build, the units and the time servers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { plannedIds } from '../../../helpers/plan-manifest.js';
import {
  growRootFiles,
  initScriptFiles,
  timeSyncFile,
  withInitramfsModules,
} from '../../../../plugins/ec2/guest/guest-files.js';
import { guestPackages, INIT_SCRIPT_PACKAGES } from '../../../../plugins/ec2/guest/select-guest.js';
import { addInitScriptPackages } from '../../../../plugins/ec2/guest/tasks.js';
import { BuildState, PACKAGES } from '../../../../src/api/index.js';

const taskIds = (file: string, set: string[]): Promise<string[]> => plannedIds(file, { set });

const ALWAYS = ['ec2/guest-add-packages', 'ec2/guest-add-nic-drivers', 'ec2/guest-configure-time-sync'];
const INIT = [
  'ec2/guest-add-init-packages',
  'ec2/guest-add-default-user',
  'ec2/guest-add-init-scripts',
  'ec2/guest-add-expand-root',
];
const guestIds = (ids: string[]) => ids.filter((id) => id.startsWith('ec2/guest-')).sort();

describe('EC2 guest task selection', () => {
  it('init scripts and first-boot host keys without cloud-init, also for a local build', async () => {
    const ids = await taskIds('manifests/debian-hvm-init-scripts.yml', ['provider.publish=false']);
    assert.deepEqual(guestIds(ids), [...ALWAYS, ...INIT].sort());
    assert.ok(ids.includes('base/add-ssh-key-regeneration'));
  });

  it('cloud-init replaces the init scripts and the host key unit, keeps drivers and time sync', async () => {
    const ids = await taskIds('manifests/debian-hvm-raw.yml', ['provider.publish=false']);
    assert.deepEqual(guestIds(ids), [...ALWAYS].sort());
    assert.ok(!ids.includes('base/add-ssh-key-regeneration'));
    assert.ok(ids.includes('cloud_init/write-config'));
  });

  it('install_init_scripts: false leaves them out', async () => {
    const ids = await taskIds('manifests/debian-hvm-init-scripts.yml', [
      'provider.publish=false',
      'provider.install_init_scripts=false',
    ]);
    assert.deepEqual(guestIds(ids), [...ALWAYS].sort());
  });
});

describe('EC2 guest packages', () => {
  const view = (version: string, provider: Record<string, unknown>) =>
    ({
      data: { provider: { name: 'ec2', ...provider } },
      release: { version },
    }) as never;

  it('NVMe rules and timesyncd always; curl, sudo and growpart with the init scripts (their own task)', async () => {
    assert.deepEqual(guestPackages(view('12', {})), ['amazon-ec2-utils', 'systemd-timesyncd']);
    assert.deepEqual(INIT_SCRIPT_PACKAGES, ['curl', 'sudo', 'cloud-guest-utils']);
    const state = new BuildState();
    await addInitScriptPackages.run({ state } as never);
    assert.deepEqual([...state.get(PACKAGES)], INIT_SCRIPT_PACKAGES);
  });

  it('before bookworm timesyncd is part of systemd', () => {
    assert.ok(!guestPackages(view('11', { install_init_scripts: false })).includes('systemd-timesyncd'));
  });
});

describe('EC2 guest files', () => {
  const files = [...initScriptFiles(), ...growRootFiles(), timeSyncFile()];

  it('every script is valid POSIX shell (dash -n)', () => {
    for (const f of files.filter((f) => f.mode === 0o755 || f.path.endsWith('.sh'))) {
      const r = spawnSync('dash', ['-n'], { input: f.content, encoding: 'utf8' });
      assert.equal(r.status, 0, `${f.path}: ${r.stderr}`);
    }
  });

  it('no device name is written down: devices are found at boot', () => {
    for (const f of files) {
      assert.doesNotMatch(f.content, /\/dev\/(loop|xvd|sd[a-z]|nvme|vd[a-z])/, f.path);
    }
  });

  it('each unit runs a script that is installed, logs as ec2-init, and is wanted by multi-user', () => {
    const units = files.filter((f) => f.path.endsWith('.service'));
    assert.equal(units.length, 3);
    for (const u of units) {
      const exec = /^ExecStart=(\S+)$/m.exec(u.content)?.[1];
      assert.ok(
        files.some((f) => f.path === exec && f.mode === 0o755),
        `${u.path} runs ${exec}`,
      );
      assert.match(u.content, /^SyslogIdentifier=ec2-init$/m);
      assert.match(u.content, /^WantedBy=multi-user.target$/m);
    }
  });

  it('the default user gets passwordless sudo from a 0440 sudoers file', () => {
    const sudoers = files.find((f) => f.path.startsWith('/etc/sudoers.d/'));
    assert.equal(sudoers?.mode, 0o440);
    assert.match(sudoers?.content ?? '', /^admin ALL=\(ALL\) NOPASSWD:ALL$/m);
  });

  it('timesyncd uses the Amazon Time Sync Service as its NTP server', () => {
    assert.match(timeSyncFile().content, /^NTP=169\.254\.169\.123 fd00:ec2::123$/m);
  });

  it('adds the NIC modules to the initramfs list once, keeping what is there', () => {
    const once = withInitramfsModules('# comment\nvirtio_blk', ['ena', 'ixgbevf']);
    assert.match(once, /^# comment\nvirtio_blk\n# EC2 .*\nena\nixgbevf\n$/);
    assert.equal(withInitramfsModules(once, ['ena', 'ixgbevf']), once);
  });
});
