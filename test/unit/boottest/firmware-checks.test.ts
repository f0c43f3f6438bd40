/**
 * Secure Boot and TPM verdicts (issue 13 items 4 and 5), from guest outputs as the probes print them:
 * enforced Secure Boot with the shim -> grub -> kernel chain, and a TPM 2.0 with a measured boot.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  combineGuestChecks,
  judgeMeasuredBoot,
  judgeSecureBoot,
  judgeSecureBootChain,
  judgeTpmDevice,
  SECURE_BOOT_PROBE,
} from '../../../src/boottest/firmware-checks.js';
import { parseProbe } from '../../../src/boottest/guest-probe.js';

const SHIM = '605dab50-e046-4300-abb6-3dd810dd8b23';
const enforced = parseProbe(
  [
    '### secure-boot-var',
    '   6   0   0   0   1',
    '### efi',
    'yes',
    '### shim-vars',
    'MokListRT',
    `MokListRT-${SHIM}`,
    `SbatLevelRT-${SHIM}`,
    '### lockdown',
    'none [integrity] confidentiality',
    '### cmdline',
    'BOOT_IMAGE=/boot/vmlinuz-6.12.118+deb13-cloud-amd64 root=UUID=cd6c ro console=ttyS0',
    '### kernel-log',
    '[    0.000000] secureboot: Secure boot enabled',
    "[   14.404425] integrity: Loaded X.509 cert 'Debian Secure Boot CA: 6ccece7e'",
  ].join('\n'),
);

describe('Secure Boot checks', () => {
  it('pass when SecureBoot=1 and shim, grub and a locked-down kernel made the chain', () => {
    const sb = judgeSecureBoot(enforced, 100);
    assert.equal(sb.status, 'pass', sb.detail);
    assert.match(sb.detail, /SecureBoot=1, kernel: "secureboot: Secure boot enabled"/);
    const chain = judgeSecureBootChain(enforced, 100);
    assert.equal(chain.status, 'pass', chain.detail);
    assert.match(
      chain.detail,
      /shim \(MokListRT, SbatLevelRT\) -> grub \(BOOT_IMAGE=\) -> kernel \(lockdown integrity\)/,
    );
  });

  it('fail when the firmware did not enforce it, or the guest is not UEFI', () => {
    const off = { ...enforced, 'secure-boot-var': '6 0 0 0 0' };
    assert.match(judgeSecureBoot(off, 1).detail, /SecureBoot=0: the firmware did not enforce Secure Boot/);
    assert.equal(judgeSecureBoot(off, 1).status, 'fail');
    assert.equal(judgeSecureBoot({ ...enforced, efi: '' }, 1).detail, 'the guest did not boot with UEFI');
    assert.equal(judgeSecureBoot({ ...enforced, 'secure-boot-var': '' }, 1).status, 'fail');
  });

  it('fail the chain naming each missing link: no shim, no grub, no lockdown', () => {
    const broken = {
      ...enforced,
      'shim-vars': '',
      cmdline: 'root=/dev/vda1',
      lockdown: '[none] integrity confidentiality',
    };
    const c = judgeSecureBootChain(broken, 1);
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /shim did not load the boot/);
    assert.match(c.detail, /grub did not start the kernel/);
    assert.match(c.detail, /the kernel is not locked down \(\[none\]/);
  });

  it('the probe runs as root directly or through sudo, one quoted script', () => {
    assert.match(SECURE_BOOT_PROBE, /^if \[ "\$\(id -u\)" = 0 \]; then sh -c '/);
    assert.match(SECURE_BOOT_PROBE, /else sudo -n sh -c '/);
  });
});

describe('TPM checks', () => {
  const tpm = parseProbe(
    [
      '### tpm-devices',
      '/dev/tpm0',
      '/dev/tpmrm0',
      '### tpm-version',
      '2',
      '### event-log-bytes',
      '38273',
      '### pcrs',
      '0 3DCA2D3A2DC9A7B4C8AB1F9B3A7AE4C8C6A9E5C09E9B2B4E7E0C9B6F5A9D8E7F',
      '1 0000000000000000000000000000000000000000000000000000000000000000',
      '7 1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90A',
    ].join('\n'),
  );

  it('pass with /dev/tpmrm0, TPM 2.0, a non-empty event log and extended PCRs', () => {
    const d = judgeTpmDevice(tpm, 5);
    assert.equal(d.status, 'pass', d.detail);
    const m = judgeMeasuredBoot(tpm, 5);
    assert.equal(m.status, 'pass', m.detail);
    assert.equal(m.detail, 'event log of 38273 bytes, sha256 PCRs extended: 0, 7');
  });

  it('fail without the device, with an empty event log, or with every PCR zero', () => {
    assert.match(judgeTpmDevice({ ...tpm, 'tpm-devices': '' }, 1).detail, /no \/dev\/tpmrm0/);
    assert.match(judgeTpmDevice({ ...tpm, 'tpm-version': '1' }, 1).detail, /version 1, not 2/);
    assert.equal(judgeMeasuredBoot({ ...tpm, 'event-log-bytes': '0' }, 1).status, 'fail');
    assert.equal(judgeMeasuredBoot({ ...tpm, 'event-log-bytes': '' }, 1).status, 'fail');
    const zero = { ...tpm, pcrs: '0 0000\n7 0000' };
    assert.match(judgeMeasuredBoot(zero, 1).detail, /PCRs 0-7 are all zero/);
  });

  it('combined guest checks run in turn over the same login', async () => {
    const order: string[] = [];
    const combined = combineGuestChecks(
      () => (
        order.push('a'),
        Promise.resolve([{ name: 'a', status: 'pass' as const, seconds: 0, detail: '' }])
      ),
      undefined,
      () => (
        order.push('b'),
        Promise.resolve([{ name: 'b', status: 'pass' as const, seconds: 0, detail: '' }])
      ),
    );
    const out = await combined?.({ ssh: () => Promise.resolve({ code: 0, stdout: '', stderr: '' }) });
    assert.deepEqual(order, ['a', 'b']);
    assert.deepEqual(
      out?.map((c) => c.name),
      ['a', 'b'],
    );
    assert.equal(combineGuestChecks(undefined), undefined);
  });
});
