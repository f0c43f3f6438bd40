import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ec2Uuid, qemuArgv, type QemuConfig } from '../../../src/boottest/qemu-argv.js';

const base: QemuConfig = {
  arch: 'amd64',
  accel: 'tcg',
  firmware: 'bios',
  overlay: '/tmp/bt/overlay.qcow2',
  sshPort: 40022,
  imdsPort: 40080,
  mac: '52:54:00:b0:07:01',
  smbiosUuid: 'ec2e1c1f-0000-4000-8000-000000000001',
};

function value(argv: readonly string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1] ?? ''] : []));
}

describe('qemu argv', () => {
  it('boots the overlay with TCG, serial on stdio, no display or monitor', () => {
    const argv = qemuArgv(base);
    assert.equal(argv[0], 'qemu-system-x86_64');
    assert.deepEqual(value(argv, '-machine'), ['q35,accel=tcg']);
    assert.deepEqual(value(argv, '-cpu'), ['max']);
    assert.deepEqual(value(argv, '-m'), ['1024']);
    assert.deepEqual(value(argv, '-smp'), ['2']);
    assert.deepEqual(value(argv, '-serial'), ['stdio']);
    assert.deepEqual(value(argv, '-display'), ['none']);
    assert.deepEqual(value(argv, '-monitor'), ['none']);
    assert.deepEqual(value(argv, '-drive'), [
      'file=/tmp/bt/overlay.qcow2,format=qcow2,if=virtio,cache=unsafe,discard=unmap',
    ]);
    assert.equal(
      value(argv, '-drive').some((d) => d.includes('pflash')),
      false,
    );
  });

  it('says Amazon EC2 in SMBIOS with equal serial and uuid starting with ec2', () => {
    const [smbios] = value(qemuArgv(base), '-smbios');
    assert.ok(smbios?.startsWith('type=1,manufacturer=Amazon EC2,'));
    const serial = /serial=([^,]+)/.exec(smbios ?? '')?.[1];
    const uuid = /uuid=([^,]+)/.exec(smbios ?? '')?.[1];
    assert.equal(serial, uuid);
    assert.ok(serial?.startsWith('ec2'));
    assert.equal(ec2Uuid('a1b2c3d4-1111-4222-8333-444455556666'), 'ec22c3d4-1111-4222-8333-444455556666');
  });

  it('forwards SSH from loopback and the metadata address to the local server through socat', () => {
    const argv = qemuArgv(base);
    const [netdev] = value(argv, '-netdev');
    const parts = (netdev ?? '').split(',');
    assert.equal(parts[0], 'user');
    assert.ok(parts.includes('net=169.254.0.0/16'));
    assert.ok(parts.includes('dhcpstart=169.254.0.15'));
    assert.ok(parts.includes('hostfwd=tcp:127.0.0.1:40022-:22'));
    assert.ok(parts.includes('guestfwd=tcp:169.254.169.254:80-cmd:socat - TCP:127.0.0.1:40080'));
    assert.deepEqual(
      value(argv, '-device').filter((d) => d.startsWith('virtio-net')),
      ['virtio-net-pci,netdev=n0,mac=52:54:00:b0:07:01'],
    );
  });

  it('adds read-only firmware code and the writable vars copy for UEFI, and needs both', () => {
    const argv = qemuArgv({
      ...base,
      firmware: 'uefi',
      uefiCode: '/usr/share/OVMF/OVMF_CODE_4M.fd',
      uefiVars: '/tmp/bt/vars.fd',
    });
    const pflash = value(argv, '-drive').filter((d) => d.startsWith('if=pflash'));
    assert.deepEqual(pflash, [
      'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd',
      'if=pflash,format=raw,unit=1,file=/tmp/bt/vars.fd',
    ]);
    assert.throws(() => qemuArgv({ ...base, firmware: 'uefi' }), /firmware code/);
  });

  it('uses the host CPU with KVM and the virt machine for arm64', () => {
    assert.deepEqual(value(qemuArgv({ ...base, accel: 'kvm' }), '-cpu'), ['host']);
    const arm = qemuArgv({ ...base, arch: 'arm64' });
    assert.equal(arm[0], 'qemu-system-aarch64');
    assert.deepEqual(value(arm, '-machine'), ['virt,accel=tcg']);
    // TCG computes QARMA pointer authentication in software: the cheap implementation-defined one.
    assert.deepEqual(value(arm, '-cpu'), ['max,pauth-impdef=on']);
    assert.deepEqual(value(qemuArgv({ ...base, arch: 'arm64', accel: 'kvm' }), '-cpu'), ['host']);
  });
});

describe('qemu argv: the way in, Secure Boot and a TPM (issue 13)', () => {
  it('passes systemd credentials as SMBIOS type 11 strings, base64 so no comma needs escaping', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO+x,y boot-test\n';
    const argv = qemuArgv({ ...base, credentials: { 'ssh.authorized_keys.root': key } });
    const type11 = value(argv, '-smbios').filter((s) => s.startsWith('type=11,'));
    assert.equal(type11.length, 1);
    const m =
      /^type=11,value=io\.systemd\.credential\.binary:ssh\.authorized_keys\.root=([A-Za-z0-9+/=]+)$/.exec(
        type11[0] ?? '',
      );
    assert.ok(m, type11[0]);
    assert.equal(Buffer.from(m[1] ?? '', 'base64').toString('utf8'), key);
    assert.throws(() => qemuArgv({ ...base, credentials: { 'bad,name': 'x' } }), /credential name/);
  });

  it('Secure Boot: q35 with SMM, the secure pflash, and UEFI only', () => {
    const argv = qemuArgv({
      ...base,
      firmware: 'uefi',
      uefiCode: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
      uefiVars: '/tmp/bt/uefi-vars.fd',
      secureBoot: true,
    });
    assert.deepEqual(value(argv, '-machine'), ['q35,accel=tcg,smm=on']);
    assert.deepEqual(value(argv, '-global'), ['driver=cfi.pflash01,property=secure,value=on']);
    assert.ok(
      value(argv, '-drive').includes(
        'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
      ),
    );
    assert.throws(() => qemuArgv({ ...base, secureBoot: true }), /UEFI/);
    assert.deepEqual(value(qemuArgv(base), '-global'), []);
  });

  it('TPM: swtpm socket through a chardev, the emulator tpmdev and tpm-tis', () => {
    const argv = qemuArgv({ ...base, tpmSocket: '/tmp/bt/tpm/swtpm.sock' });
    assert.deepEqual(value(argv, '-chardev'), ['socket,id=chrtpm,path=/tmp/bt/tpm/swtpm.sock']);
    assert.deepEqual(value(argv, '-tpmdev'), ['emulator,id=tpm0,chardev=chrtpm']);
    assert.ok(value(argv, '-device').includes('tpm-tis,tpmdev=tpm0'));
    assert.deepEqual(value(qemuArgv(base), '-tpmdev'), []);
  });
});
