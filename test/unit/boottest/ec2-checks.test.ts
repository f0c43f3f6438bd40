/**
 * The EC2 guest checks and the reboot checks judged from recorded guest outputs, and the metadata
 * server's faults (503s first, a stalled answer, a new tree for the next boot).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ec2ChecksFor,
  ec2GuestChecks,
  judgeImdsFaults,
  judgeInitScriptLog,
  judgeNicDrivers,
  judgeSerialConsole,
  judgeTimeSync,
  nicModules,
  savedUserDataChecks,
} from '../../../src/boottest/ec2-checks.js';
import type { GuestShell } from '../../../src/boottest/guest-session.js';
import { metadataTree, type InstanceIdentity } from '../../../src/boottest/imds-data.js';
import { startImdsServer, type ImdsRequest } from '../../../src/boottest/imds-server.js';
import { bootDefaults } from '../../../src/boottest/manifest-defaults.js';
import { checkHostKeysKept, checkMachineIdKept } from '../../../src/boottest/reboot-checks.js';

const K = '/lib/modules/6.1.0-57-cloud-amd64/kernel/drivers/net/ethernet';
const MODINFO = `${K}/amazon/ena/ena.ko\n${K}/intel/ixgbevf/ixgbevf.ko\n`;
const LSMOD = 'Module Size Used by\nixgbevf 90112 0\nena 151552 0\n';
const INITRAMFS = `usr/lib/modules/x${K.slice(31)}/amazon/ena/ena.ko\nusr/lib/x/intel/ixgbevf/ixgbevf.ko\n`;

describe('EC2 guest checks', () => {
  it('nic-drivers passes with both modules found, loaded and in the initramfs', () => {
    assert.equal(judgeNicDrivers(MODINFO, LSMOD, INITRAMFS).status, 'pass');
  });

  it('nic-drivers names what is missing', () => {
    const c = judgeNicDrivers(MODINFO, 'ena 1 0\n', 'usr/lib/x/ena.ko\n');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /ixgbevf not loaded/);
    assert.match(c.detail, /ixgbevf not in the initramfs/);
    assert.doesNotMatch(c.detail, /^ena|; ena/);
  });

  it('time-sync needs timesyncd enabled with 169.254.169.123', () => {
    assert.equal(judgeTimeSync('169.254.169.123 fd00:ec2::123\n', 'enabled\n').status, 'pass');
    assert.equal(judgeTimeSync('0.debian.pool.ntp.org\n', 'enabled\n').status, 'fail');
    assert.equal(judgeTimeSync('169.254.169.123\n', 'disabled\n').status, 'fail');
  });

  it('serial-console needs console=ttyS0 and an active getty on it', () => {
    assert.equal(
      judgeSerialConsole('root=UUID=x console=tty0 console=ttyS0,115200', 'active').status,
      'pass',
    );
    assert.equal(judgeSerialConsole('root=UUID=x console=tty0', 'active').status, 'fail');
  });

  it('init-scripts-log lists the lines it did not find', () => {
    const c = judgeInitScriptLog('SSH keys for admin: 1 added\n', [/SSH keys/, /running user-data/]);
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /running user-data/);
  });

  it('runs its commands over the guest shell and judges them', async () => {
    const answers: [RegExp, string][] = [
      [/modinfo/, MODINFO],
      [/modprobe/, LSMOD],
      [/lsinitramfs/, INITRAMFS],
      [/show-timesync/, '169.254.169.123 fd00:ec2::123'],
      [/is-enabled/, 'enabled'],
      [/70-ec2-nvme/, '/usr/lib/udev/rules.d/70-ec2-nvme-devices.rules\n/usr/sbin/ebsnvme-id'],
      [/cmdline/, 'console=ttyS0,115200'],
      [/is-active/, 'active'],
      [/journalctl/, 'SSH keys for admin: 1 added\nrunning user-data on instance i-1\n'],
      [/cat \/var\/lib\/ec2-init/, 'hello'], // the runner trims output
      [/test -e/, 'no\n'],
    ];
    const guest: GuestShell = {
      ssh: async (command) => ({
        code: 0,
        stderr: '',
        stdout: answers.find(([p]) => p.test(command))?.[1] ?? '',
      }),
    };
    const checks = await ec2GuestChecks({
      initScriptLog: [/SSH keys/, /running user-data/],
      extra: savedUserDataChecks('hello\n', '/x'),
    })(guest);
    assert.deepEqual(
      checks.map((c) => [c.name, c.status]),
      [
        ['nic-drivers', 'pass'],
        ['time-sync', 'pass'],
        ['nvme-udev-rules', 'pass'],
        ['serial-console', 'pass'],
        ['init-scripts-log', 'pass'],
        ['user-data-saved-not-run', 'pass'],
      ],
    );
  });

  it('user-data-saved-not-run fails when the trace exists', async () => {
    const guest: GuestShell = {
      ssh: async (command) => ({ code: 0, stderr: '', stdout: command.startsWith('test') ? 'yes\n' : 'x' }),
    };
    const [c] = await savedUserDataChecks('x', '/t')(guest);
    assert.equal(c?.status, 'fail');
    assert.match(c?.detail ?? '', /it ran/);
  });

  it('only EC2 manifests get them; init scripts make admin the SSH user', () => {
    assert.equal(ec2ChecksFor(undefined), undefined);
    const d = bootDefaults({
      data: { system: { architecture: 'amd64' }, provider: { name: 'ec2' } } as never,
      pluginSettings: () => undefined,
      isPluginEnabled: () => false,
    });
    assert.deepEqual([d.user, d.expectSsh, d.ec2], ['admin', true, { initScripts: true }]);
  });
});

describe('reboot checks', () => {
  const first = { 'host-key-pub': 'ssh-ed25519 AAAA1 root@x', 'machine-id': 'a'.repeat(32) };
  it('pass when the host key and machine id are the first boot ones', () => {
    assert.equal(checkHostKeysKept({ ...first }, first, 1).status, 'pass');
    assert.equal(checkMachineIdKept({ ...first }, first, 1).status, 'pass');
  });
  it('fail when they changed', () => {
    assert.equal(checkHostKeysKept({ 'host-key-pub': 'ssh-ed25519 BBBB root@x' }, first, 1).status, 'fail');
    assert.equal(checkMachineIdKept({ 'machine-id': 'b'.repeat(32) }, first, 1).status, 'fail');
    assert.equal(checkHostKeysKept({}, first, 1).status, 'fail');
  });
});

const identity: InstanceIdentity = {
  instanceId: 'i-1',
  imageId: 'ami-1',
  instanceType: 't3.micro',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1a',
  mac: '52:54:00:00:00:01',
  localIpv4: '169.254.0.15',
  architecture: 'x86_64',
  publicKey: 'ssh-ed25519 AAAA k',
  userData: Buffer.from([0x1f, 0x8b, 0x00, 0xff]),
};

describe('IMDS faults', () => {
  it('answers 503 first, then stalls one answer, then serves; judged survived', async () => {
    const s = await startImdsServer({
      tree: metadataTree(identity),
      faults: { failFirst: 2, failStatus: 503, slowFirst: 1, slowMs: 300 },
    });
    try {
      const key = `${s.url}/latest/meta-data/public-keys/0/openssh-key`;
      assert.equal((await fetch(key)).status, 503);
      assert.equal((await fetch(key)).status, 503);
      const t0 = Date.now();
      assert.equal((await fetch(key)).status, 200);
      assert.ok(Date.now() - t0 >= 250, 'the third answer was held back');
      assert.equal((await fetch(key)).status, 200);
      assert.deepEqual(
        s.requests.map((r) => [r.status, Boolean(r.slow)]),
        [
          [503, false],
          [503, false],
          [200, true],
          [200, false],
        ],
      );
      assert.equal(judgeImdsFaults(s.requests, { failFirst: 2, slowFirst: 1 }).status, 'pass');
      const ud = Buffer.from(await (await fetch(`${s.url}/latest/user-data`)).arrayBuffer());
      assert.deepEqual([...ud], [0x1f, 0x8b, 0x00, 0xff], 'binary user-data byte for byte');
      s.setTree(metadataTree({ ...identity, userData: 'plain' }));
      assert.equal(await (await fetch(`${s.url}/latest/user-data`)).text(), 'plain');
    } finally {
      await s.close();
    }
  });

  it('is survived when a slow answer is logged after a parallel script fetched the key', () => {
    const key = '/latest/meta-data/public-keys/0/openssh-key';
    const requests: ImdsRequest[] = [
      { at: 0, method: 'PUT', path: '/latest/api/token', status: 503, token: false },
      { at: 2, method: 'PUT', path: '/latest/api/token', status: 200, token: false },
      { at: 3, method: 'GET', path: key, status: 200, token: true },
      { at: 12, method: 'GET', path: '/latest/user-data', status: 200, token: true, slow: true },
    ];
    assert.equal(judgeImdsFaults(requests, { failFirst: 1, slowFirst: 1 }).status, 'pass');
  });

  it('is not survived when the key never came after the faults', () => {
    const requests: ImdsRequest[] = [
      { at: 0, method: 'GET', path: '/latest/meta-data/public-keys/0/openssh-key', status: 503, token: true },
      {
        at: 1,
        method: 'GET',
        path: '/latest/meta-data/public-keys/0/openssh-key',
        status: 0,
        token: true,
        slow: true,
      },
    ];
    assert.equal(judgeImdsFaults(requests, { failFirst: 1, slowFirst: 1 }).status, 'fail');
  });

  it("arm64 (Graviton): ENA only, and the serial getty on QEMU virt's ttyAMA0", () => {
    const arm = '/lib/modules/6.12.0-1-cloud-arm64/kernel/drivers/net/ethernet/amazon/ena/ena.ko\n';
    assert.deepEqual(nicModules('arm64'), ['ena']);
    const c = judgeNicDrivers(arm, 'ena 151552 0\n', `usr${arm}`, nicModules('arm64'));
    assert.equal(c.status, 'pass', c.detail);
    assert.equal(judgeNicDrivers(arm, 'ena 151552 0\n', `usr${arm}`).status, 'fail');
    const tty = judgeSerialConsole('console=ttyAMA0,115200 console=ttyS0,115200', 'active', 'ttyAMA0');
    assert.equal(tty.status, 'pass');
    assert.match(tty.detail, /serial-getty@ttyAMA0 active/);
  });
});
