import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildHostPatterns,
  checkBuildHostPaths,
  checkHostKeys,
  checkImdsTokens,
  checkLoginPrompt,
  checkMachineId,
  checkRootDeviceErrors,
  checkRootFillsDisk,
  checkUserData,
  consoleCmdline,
} from '../../../src/boottest/checks.js';
import { parseProbe, probeScript, USER_DATA } from '../../../src/boottest/guest-probe.js';
import type { ImdsRequest } from '../../../src/boottest/imds-server.js';

// What the probe printed on a good boot of a 2 GiB image grown by 1 GiB (recorded, then trimmed).
const GOOD = parseProbe(
  [
    '### cmdline',
    'BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-cloud-amd64 root=UUID=6c1e1f0e-2a6b-4c47-9d59-0d0f8a3c9b11 ro console=tty0 console=ttyS0,115200',
    '### fstab',
    'UUID=6c1e1f0e-2a6b-4c47-9d59-0d0f8a3c9b11 / ext4 defaults 0 1',
    '### machine-id',
    'ec217f72e10247a292e5e830bdf3ee45',
    '### btime',
    '1795457400',
    '### host-keys',
    '1795457455 /etc/ssh/ssh_host_ecdsa_key',
    '1795457455 /etc/ssh/ssh_host_ed25519_key',
    '1795457456 /etc/ssh/ssh_host_rsa_key',
    '### host-key-pub',
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFreshKey root@ip-169-254-0-15',
    '### user-data-runs',
    '1',
    '### cloud-init-status',
    'status: done',
    '### root',
    '/dev/vda1 3129999360',
    '### lsblk',
    'vda 3221225472 disk ',
    'vda1 3220176896 part vda',
    '### kernel-log',
    '[    0.000000] Linux version 6.1.0-28-cloud-amd64',
    '[    1.234567] EXT4-fs (vda1): mounted filesystem with ordered data mode.',
    '',
  ].join('\n'),
);
const withFact = (key: string, value: string) => ({ ...GOOD, [key]: value });
const IMAGE = { readable: true, machineId: undefined, hostKeyPub: undefined };

describe('boot-test checks from captured outputs', () => {
  it('parses the probe sections', () => {
    assert.equal(GOOD['machine-id'], 'ec217f72e10247a292e5e830bdf3ee45');
    assert.equal(GOOD['lsblk'], 'vda 3221225472 disk \nvda1 3220176896 part vda'.trim());
    assert.equal(GOOD['user-data-runs'], '1');
  });

  it('login prompt: pass on a match, fail with the reason otherwise', () => {
    assert.equal(
      checkLoginPrompt({ kind: 'matched', seconds: 41.23, line: 'debian login: ' }).status,
      'pass',
    );
    assert.equal(checkLoginPrompt({ kind: 'matched', seconds: 41.23, line: 'x' }).seconds, 41.2);
    const failed = checkLoginPrompt({
      kind: 'failed',
      seconds: 3,
      line: 'ALERT! /dev/loop0p1 does not exist.',
    });
    assert.equal(failed.status, 'fail');
    assert.match(failed.detail, /loop0p1/);
    assert.equal(checkLoginPrompt({ kind: 'timeout', seconds: 300 }).status, 'fail');
    assert.equal(checkLoginPrompt({ kind: 'exited', seconds: 2 }).status, 'fail');
  });

  it('user-data ran exactly once', () => {
    const fetched: ImdsRequest[] = [
      { at: 1, method: 'GET', path: '/2021-03-23/user-data', status: 200, token: true },
    ];
    assert.equal(checkUserData(GOOD, fetched, 1).status, 'pass');
    const twice = checkUserData(withFact('user-data-runs', '2'), fetched, 1);
    assert.deepEqual([twice.status, twice.detail], ['fail', 'the user-data script ran 2 times']);
    const never = checkUserData(withFact('user-data-runs', ''), [], 1);
    assert.equal(never.status, 'fail');
    assert.match(never.detail, /never fetched user-data/);
    assert.match(USER_DATA, /^#!\/bin\/sh\n/);
  });

  it('root fills the grown disk, and catches a partition or filesystem that was not grown', () => {
    assert.equal(checkRootFillsDisk(GOOD, 1).status, 'pass');
    const notGrown = checkRootFillsDisk(
      withFact('lsblk', 'vda 3221225472 disk \nvda1 2146435072 part vda'),
      1,
    );
    assert.equal(notGrown.status, 'fail');
    assert.match(notGrown.detail, /partition was not grown: 1025 MiB unused/);
    const fsNotGrown = checkRootFillsDisk(withFact('root', '/dev/vda1 2040000000'), 1);
    assert.equal(fsNotGrown.status, 'fail');
    assert.match(fsNotGrown.detail, /filesystem was not grown/);
    // An ESP before the root partition is not "unused".
    const withEsp = withFact(
      'lsblk',
      'vda 3221225472 disk \nvda1 1048576 part vda\nvda2 133169152 part vda\nvda3 3085939712 part vda',
    );
    assert.equal(checkRootFillsDisk({ ...withEsp, root: '/dev/vda3 2990000000' }, 1).status, 'pass');
    assert.equal(checkRootFillsDisk(withFact('root', ''), 1).status, 'fail');
  });

  it('host keys: generated this boot and not the image key', () => {
    assert.equal(checkHostKeys(GOOD, IMAGE, 1).status, 'pass');
    const baked = checkHostKeys(withFact('host-keys', '1700000000 /etc/ssh/ssh_host_ed25519_key'), IMAGE, 1);
    assert.equal(baked.status, 'fail');
    assert.match(baked.detail, /older than this boot/);
    const same = checkHostKeys(
      GOOD,
      { readable: true, hostKeyPub: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFreshKey root@builder' },
      1,
    );
    assert.equal(same.status, 'fail');
    assert.equal(checkHostKeys(withFact('host-keys', ''), IMAGE, 1).status, 'fail');
    assert.match(checkHostKeys(GOOD, { readable: false }, 1).detail, /not compared/);
  });

  it('machine-id: a real id that is not the image one', () => {
    assert.equal(checkMachineId(GOOD, IMAGE, 1).status, 'pass');
    assert.equal(checkMachineId(withFact('machine-id', ''), IMAGE, 1).status, 'fail');
    assert.equal(checkMachineId(withFact('machine-id', 'uninitialized'), IMAGE, 1).status, 'fail');
    const baked = checkMachineId(
      GOOD,
      { readable: true, machineId: 'ec217f72e10247a292e5e830bdf3ee45\n' },
      1,
    );
    assert.equal(baked.status, 'fail');
  });

  it('no build-host paths in the kernel command line or fstab', () => {
    const files = { '/proc/cmdline': GOOD['cmdline'], '/etc/fstab': GOOD['fstab'] };
    assert.equal(checkBuildHostPaths(files, 'buildhost7', 1).status, 'pass');
    const loop = checkBuildHostPaths(
      { ...files, '/proc/cmdline': 'BOOT_IMAGE=/vmlinuz root=/dev/loop0p1 ro' },
      'buildhost7',
      1,
    );
    assert.equal(loop.status, 'fail');
    assert.match(loop.detail, /\/proc\/cmdline: \/dev\/loop0/);
    const ws = checkBuildHostPaths(
      { '/etc/fstab': '/var/tmp/bootstrap/ab12/root/boot /boot none bind 0 0' },
      'buildhost7',
      1,
    );
    assert.equal(ws.status, 'fail');
    const host = checkBuildHostPaths(
      { '/etc/fstab': 'buildhost7:/srv /mnt nfs defaults 0 0' },
      'buildhost7',
      1,
    );
    assert.equal(host.status, 'fail');
    // Comments and names that merely contain the host name do not count; "localhost" is never a host leak.
    assert.equal(
      checkBuildHostPaths({ '/etc/fstab': '# made on buildhost7\nx-buildhost7y / ext4 0 0' }, 'buildhost7', 1)
        .status,
      'pass',
    );
    assert.equal(buildHostPatterns('localhost').length, 2);
    assert.equal(
      consoleCmdline('[    0.000000] Command line: BOOT_IMAGE=/vmlinuz root=UUID=x ro\n'),
      'BOOT_IMAGE=/vmlinuz root=UUID=x ro',
    );
  });

  it('kernel and console logs without root device errors', () => {
    assert.equal(
      checkRootDeviceErrors(1, 'Begin: Mounting root file system ... done.', GOOD['kernel-log'] ?? '').status,
      'pass',
    );
    for (const line of [
      'ALERT!  /dev/loop0p1 does not exist.  Dropping to a shell!',
      'Gave up waiting for root file system device.  Common problems:\nALERT!  UUID=1234 does not exist.',
      'VFS: Cannot open root device "vda1" or unknown-block(0,0): error -6',
      '[    5.1] EXT4-fs error (device vda1): ext4_lookup:1855: inode #2: comm init: deleted inode referenced',
      '[ TIME ] Timed out waiting for device dev-disk-by\\x2duuid-0000.device - /dev/disk/by-uuid/0000.',
    ]) {
      const r = checkRootDeviceErrors(1, 'SeaBIOS\n' + line + '\n');
      assert.equal(r.status, 'fail', line);
    }
  });

  it('IMDSv2 tokens: required when claimed, informational otherwise', () => {
    const r = (path: string, token: boolean, method = 'GET'): ImdsRequest => ({
      at: 1,
      method,
      path,
      status: 200,
      token,
    });
    const v2 = [r('/latest/api/token', false, 'PUT'), r('/latest/meta-data/instance-id', true)];
    assert.equal(checkImdsTokens(v2, true, 1).status, 'pass');
    const mixed = checkImdsTokens([...v2, r('/latest/meta-data/public-keys/', false)], true, 1);
    assert.equal(mixed.status, 'fail');
    assert.match(mixed.detail, /without: \/latest\/meta-data\/public-keys\//);
    assert.equal(checkImdsTokens([], true, 1).status, 'fail');
    assert.equal(checkImdsTokens(v2, false, 1).status, 'skipped');
  });

  it('the probe waits for cloud-init only as long as it is told', () => {
    assert.match(probeScript(42.9), /-lt 42\b/);
    assert.match(probeScript(0), /-lt 1\b/);
  });
});

describe('fstab check from findmnt --verify', () => {
  it('passes without [E] lines and names the broken entry otherwise', async () => {
    const { checkFstab } = await import('../../../src/boottest/checks.js');
    const ok = {
      'fstab-verify':
        '/\n   [W] recommended root FS passno is 1 (current is 0)\n\n0 parse errors, 0 errors, 1 warning',
    };
    assert.equal(checkFstab(ok, 1).status, 'pass');
    const broken = {
      'fstab-verify':
        '/\n   [E] unreachable on boot required source: UUID=00000000-dead-beef-0000-000000000000\n\n0 parse errors, 1 error, 0 warnings',
    };
    const r = checkFstab(broken, 1);
    assert.equal(r.status, 'fail');
    assert.equal(
      r.detail,
      '/: unreachable on boot required source: UUID=00000000-dead-beef-0000-000000000000',
    );
    assert.equal(checkFstab({}, 1).status, 'fail');
    assert.equal(checkFstab({ 'fstab-verify': 'Success, no errors or warnings detected' }, 1).status, 'pass');
  });
});

describe('failed units on the console', () => {
  it('fails on systemd [FAILED] lines (escape codes already stripped)', async () => {
    const { checkFailedUnits } = await import('../../../src/boottest/checks.js');
    assert.equal(checkFailedUnits('[  OK  ] Started ssh.service\nbaseline login: ', 1).status, 'pass');
    const r = checkFailedUnits('[FAILED] Failed to start systemd-re…ount Root and Kernel File Systems.\n', 1);
    assert.equal(r.status, 'fail');
    assert.match(r.detail, /systemd-re/);
  });
});
