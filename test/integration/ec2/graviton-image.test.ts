/**
 * arm64 (Graviton) on this amd64 host, end to end, from one build:
 * 1. `bootstrap manifests/debian-hvm-arm64.yml --set volume.backing=raw` (root 2 GiB as in
 *    publish-raw.test.ts): the bootstrap and every command in the chroot run through qemu-user and
 *    binfmt_misc; the image is uploaded to moto as a snapshot and registered, and the serialized
 *    RegisterImage request carries Architecture arm64 and BootMode uefi (moto itself ignores both).
 * 2. The same image file boots under qemu-system-aarch64 (virt, AAVMF, TCG) against the boot test's
 *    metadata service: shim at EFI/BOOT/BOOTAA64.EFI, key login as admin, user-data once, root grown,
 *    fresh host keys, IMDSv2 tokens, ENA in the initramfs, timesyncd on 169.254.169.123, NVMe rules.
 * Needs root, loop devices, moto, qemu-user-static with the qemu-aarch64 binfmt entry (F flag),
 * qemu-system-aarch64 and AAVMF: `bootstrap doctor --fix manifests/debian-hvm-arm64.yml` sets up
 * the emulation. Slow: everything in the chroot is emulated (durations in the test's diagnostics):
 * about 75 minutes cold on these 2-core hosts, so it runs only when asked for with
 * BOOTSTRAP_IT_ARM64=1 (`BOOTSTRAP_IT_ARM64=1 node scripts/run-tests.mjs integration
 * --test-name-pattern arm64`); CI on these hosts leaves it out, and says so in its skip reason.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { assertPassed } from '../../helpers/boot-assertions.js';
import { after, before, describe, it } from 'node:test';
import { runBootTest } from '../../../src/boottest/index.js';
import { ec2GuestChecks } from '../../../src/boottest/ec2-checks.js';
import { releaseGuestChecks } from '../../../src/boottest/release-checks.js';
import { checkEmulation } from '../../../src/host/foreign-arch.js';
import { createNullLogger } from '../../../src/log/logger.js';
import { createHostRunner } from '../../../src/runner/index.js';
import { motoSkip, startMoto, type Moto } from '../../helpers/moto.js';
import { espFiles, leftovers, partitionTable } from '../build/image-inspect.js';

const isRoot = process.getuid?.() === 0;
const emulation = await checkEmulation('arm64');
const hasTools =
  spawnSync('sh', ['-c', 'command -v qemu-system-aarch64 socat ssh-keygen mdir']).status === 0 &&
  existsSync('/usr/share/AAVMF/AAVMF_CODE.fd');
const skip =
  process.env.BOOTSTRAP_IT_ARM64 !== '1'
    ? 'the emulated arm64 build and boot take 20 to 70 minutes on amd64 hosts, depending on load: set BOOTSTRAP_IT_ARM64=1 to run it'
    : !isRoot
      ? 'needs root'
      : !existsSync('/dev/loop-control')
        ? 'needs loop devices'
        : motoSkip
          ? motoSkip
          : emulation.problems.length > 0
            ? `arm64 emulation not set up (${emulation.problems.join('; ')}): bootstrap doctor --fix manifests/debian-hvm-arm64.yml`
            : !hasTools
              ? 'needs qemu-system-aarch64 (qemu-system-arm), qemu-efi-aarch64, socat, ssh-keygen, mtools'
              : false;

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env });
    let out = '';
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-200_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, out }));
  });
}

describe('arm64 (Graviton) AMI built on an amd64 host', { skip }, () => {
  let moto: Moto;
  let dir = '';
  before(async () => {
    moto = await startMoto();
    dir = await mkdtemp('/var/tmp/it-arm64-');
  });
  after(async () => {
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(
    'builds through qemu-user, registers arm64/uefi, boots under qemu-system-aarch64',
    { timeout: 90 * 60_000 },
    async (t) => {
      const trace = join(dir, 'trace.jsonl');
      const report = join(dir, 'report.json');
      const began = Date.now();
      const r = await cli(
        [
          'manifests/debian-hvm-arm64.yml',
          '--set',
          'volume.backing=raw',
          '--set',
          'volume.partitions.root.size=2GiB',
          '--set',
          `bootstrapper.workspace=${join(dir, 'ws')}`,
          '--report',
          report,
          '--log',
          '-',
          '--progress',
          'plain',
        ],
        moto.env({ BOOTSTRAP_STATE_DIR: join(dir, 'state'), BOOTSTRAP_AWS_TRACE: trace }),
      );
      const built = Date.now();
      assert.equal(r.status, 0, r.out.slice(-4000));
      const rep = JSON.parse(await readFile(report, 'utf8')) as {
        artifacts: { kind: string; id?: string; path?: string }[];
        tasks?: { id: string; seconds?: number }[];
      };
      const image = rep.artifacts.find((a) => a.kind === 'image')?.path ?? '';
      const snapshotId = rep.artifacts.find((a) => a.kind === 'snapshot')?.id ?? '';
      assert.match(rep.artifacts.find((a) => a.kind === 'ami')?.id ?? '', /^ami-/);

      // What was sent, as serialized (moto records neither the architecture nor the boot mode).
      const sent = (await readFile(trace, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { operation: string; body?: string });
      const register = new URLSearchParams(sent.find((s) => s.operation === 'RegisterImage')?.body ?? '');
      assert.equal(register.get('Architecture'), 'arm64');
      assert.equal(register.get('BootMode'), 'uefi');
      assert.equal(register.get('EnaSupport'), 'true');
      assert.equal(register.get('BlockDeviceMapping.1.Ebs.SnapshotId'), snapshotId);
      assert.match(register.get('Name') ?? '', /^debian-trixie-arm64-hvm-/);

      // The ESP holds shim at the removable path; no BIOS boot partition.
      const table = partitionTable(image);
      assert.equal(table.label, 'gpt');
      const esp = table.partitions.find(
        (p) => p.type.toUpperCase() === 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
      );
      assert.ok(esp, JSON.stringify(table));
      const files = espFiles(image, esp.start * 512);
      assert.match(files, /EFI\/BOOT\/BOOTAA64\.EFI/i);
      assert.match(files, /EFI\/debian\/grubaa64\.efi/i);
      assert.ok(
        !table.partitions.some((p) => p.type.toUpperCase() === '21686148-6449-6E6F-744E-656564454649'),
      );

      const boot = await runBootTest({
        image,
        runner: createHostRunner({ log: createNullLogger(), signal: new AbortController().signal }),
        arch: 'arm64',
        firmware: 'uefi',
        user: 'admin',
        imds: 'v2',
        expectSsh: true,
        timeoutSeconds: 1500,
        guestChecks: ec2GuestChecks({
          arch: 'arm64',
          extra: releaseGuestChecks({ deb822Sources: true, tmpOnTmpfs: true }),
        }),
      });
      t.diagnostic(
        `build ${Math.round((built - began) / 1000)}s (bootstrap-os ${rep.tasks?.find((x) => x.id === 'base/bootstrap-os')?.seconds ?? '?'}s), ` +
          `boot test ${boot.seconds}s (login prompt ${boot.timeToLoginPrompt}s, SSH ${boot.timeToSsh}s)`,
      );
      assertPassed(boot, [
        'ssh-login',
        'user-data-once',
        'root-fills-disk',
        'fresh-host-keys',
        'imdsv2-tokens',
        'nic-drivers',
        'time-sync',
        'nvme-udev-rules',
        'serial-console',
      ]);
    },
  );

  // A test, not an `after` hook, so the summary line counts a leak.
  it('leaves no loop device or mount', () => {
    const { loops, mounts } = leftovers(dir);
    assert.deepEqual([...loops, ...mounts], [], 'no loop device or mount left');
  });
});
