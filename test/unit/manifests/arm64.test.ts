/**
 * arm64 (Graviton) manifests: what they install and register, and the manifest errors of arm64 with a
 * firmware it does not have or an architecture that does not exist, each at its file and line.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import type { VolumeInfo } from '../../../src/api/index.js';
import { bootloaderPackages } from '../../../src/base/bootloader/bootloader-packages.js';
import { grubInstallCommands } from '../../../src/base/bootloader/grub-install-commands.js';
import { espCopies } from '../../../src/base/bootloader/esp-files.js';
import { kernelPackage } from '../../../src/base/system/add-kernel-package.js';
import { loadManifest, formatIssue } from '../../../src/manifest/load-manifest.js';
import { builtinRegistry } from '../../../src/registry/lazy-registry.js';
import { registerImageInput } from '../../../plugins/ec2/aws/register-input.js';
import { runCli } from '../../helpers/run-cli.js';

const NOW = new Date('2026-12-07T12:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'arm64-manifests-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function load(file: string) {
  const r = await loadManifest(file, { registry: builtinRegistry(), now: NOW });
  return { ...r, text: r.errors.map((e) => formatIssue(e, { color: false })).join('\n') };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('arm64 manifests', () => {
  for (const file of ['manifests/debian-qemu-arm64.yml', 'manifests/debian-hvm-arm64.yml']) {
    it(`${file}: UEFI only, signed shim and GRUB at the removable path, the arm64 cloud kernel`, async () => {
      const { manifest, text } = await load(file);
      assert.equal(text, '');
      assert.ok(manifest);
      assert.equal(manifest.data.system.architecture, 'arm64');
      assert.equal(kernelPackage(manifest), 'linux-image-cloud-arm64');
      const boot = bootloaderPackages(manifest);
      assert.deepEqual(
        [...boot.packages].sort(),
        ['dosfstools', 'grub-efi-arm64', 'grub-efi-arm64-signed', 'shim-signed'],
      );
      assert.equal(boot.secureBoot, true);
      const volume: VolumeInfo = {
        backing: 'raw',
        state: 'mounted',
        rawImagePath: '/x.raw',
        sizeBytes: 0,
        partitionMap: 'gpt',
        partitions: [],
        device: '/dev/loop9',
      };
      assert.deepEqual(grubInstallCommands(manifest, volume), [
        [
          'grub-install',
          '--target=arm64-efi',
          '--efi-directory=/boot/efi',
          '--boot-directory=/boot',
          '--bootloader-id=debian',
          '--no-nvram',
          '--force-extra-removable',
          '--uefi-secure-boot',
        ],
      ]);
      // What the ESP gets when it cannot be mounted (these hosts): shim as the removable BOOTAA64.EFI.
      assert.deepEqual(
        espCopies('arm64')
          .filter((c) => c.dest.startsWith('EFI/BOOT/'))
          .map((c) => `${c.dest} <- ${c.source}`),
        [
          'EFI/BOOT/BOOTAA64.EFI <- /usr/lib/shim/shimaa64.efi.signed',
          'EFI/BOOT/grubaa64.efi <- /usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed',
          'EFI/BOOT/mmaa64.efi <- /usr/lib/shim/mmaa64.efi.signed',
        ],
      );
    });
  }

  it('debian-hvm-arm64.yml registers Architecture arm64, BootMode uefi', async () => {
    const { manifest } = await load('manifests/debian-hvm-arm64.yml');
    assert.ok(manifest);
    const input = registerImageInput(
      manifest,
      { snapshot: { snapshotId: 'snap-1', volumeSizeGiB: 8 } },
      {},
    );
    assert.equal(input.Architecture, 'arm64');
    assert.equal(input.BootMode, 'uefi');
    assert.equal(input.EnaSupport, true);
  });

  it('arm64 with boot_mode bios or hybrid is a manifest error at its line', async () => {
    const base = resolve('manifests/debian-qemu-arm64.yml');
    for (const mode of ['bios', 'hybrid']) {
      const file = write(`${mode}.yml`, `extends: ${base}\nsystem:\n  boot_mode: ${mode}\n`);
      const { errors, text } = await load(file);
      assert.equal(errors.length, 1, text);
      assert.match(
        text,
        new RegExp(
          `${mode}\\.yml:3:3 /system/boot_mode: boot_mode ${mode} is not possible on arm64: arm64 machines .* boot with UEFI only`,
        ),
      );
    }
  });

  it('an unknown architecture is an error at its line with the supported list', async () => {
    const file = write('riscv.yml', `extends: ${resolve('manifests/debian-qemu.yml')}\nsystem:\n  architecture: riscv64\n`);
    const { text } = await load(file);
    assert.match(text, /riscv\.yml:3:3 \/system\/architecture: must be one of: amd64, arm64, i386/);
  });

  it('a dry run of the Graviton AMI lists RegisterImage with arm64 and uefi', async () => {
    const r = await runCli(
      [
        'manifests/debian-hvm-arm64.yml',
        '--dry-run',
        '--set',
        'volume.backing=raw',
        '--progress',
        'plain',
        '--set',
        `bootstrapper.workspace=${join(dir, 'ws')}`,
      ],
      { env: { BOOTSTRAP_STATE_DIR: join(dir, 'state'), AWS_REGION: 'eu-west-1' } },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const register = r.stdout.split('\n').find((l) => l.includes('ec2 RegisterImage')) ?? '';
    assert.match(register, /"Architecture":"arm64"/);
    assert.match(register, /"BootMode":"uefi"/);
  });
});
