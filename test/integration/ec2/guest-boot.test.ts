/**
 * The two EC2 manifests, built for real as local raw images (provider.publish false) and booted under
 * QEMU against the boot test's metadata service, each twice (a first boot and a reboot of the same
 * instance), which is how the EC2 guest side is proven:
 * - debian-hvm-init-scripts.yml: the metadata service requires IMDSv2 tokens and fails its first
 *   answers with 503 and stalls one more; user-data is a gzip-compressed script. After the reboot the
 *   user-data is plain text that would leave a trace if it ran: it must be saved and not run.
 * - debian-hvm-raw.yml (cloud-init): the same checks with cloud-init doing the work.
 * Both: key login as admin, user-data ran exactly once (also after the reboot), root grown to the
 * bigger disk, host keys fresh and then kept, tokens used, ena and ixgbevf available and in the
 * initramfs, timesyncd on 169.254.169.123, NVMe udev rules, serial console.
 * Both are trixie, the manifests' default; the cloud-init image is built and booted once more as
 * bookworm (`--set system.release=bookworm`, one boot). Every boot also checks what differs between
 * the releases (release-checks.ts): apt sources format, /tmp on tmpfs with nothing hidden under it,
 * host key types (no DSA), systemd-networkd with no ifupdown.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { assertPassed } from '../../helpers/boot-assertions.js';
import { after, describe, it } from 'node:test';
import { runBootTest } from '../../../src/boottest/index.js';
import { ec2GuestChecks, FIRST_BOOT_LOG, savedUserDataChecks } from '../../../src/boottest/ec2-checks.js';
import { USER_DATA } from '../../../src/boottest/guest-probe.js';
import { releaseGuestChecks } from '../../../src/boottest/release-checks.js';
import { createNullLogger } from '../../../src/log/logger.js';
import { createHostRunner } from '../../../src/runner/index.js';
import { leftovers } from '../build/image-inspect.js';

const isRoot = process.getuid?.() === 0;
const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-x86_64 socat ssh-keygen']).status === 0;
const skip = !isRoot
  ? 'needs root'
  : !existsSync('/dev/loop-control')
    ? 'needs loop devices'
    : !hasQemu
      ? 'needs qemu-system-x86_64, socat and ssh-keygen'
      : false;

const WORK = isRoot ? mkdtempSync('/var/tmp/it-ec2-guest-') : '/nonexistent';
const WS = join(WORK, 'ws');

/** Builds MANIFEST as a local raw image; resolves with the image path. */
function build(manifest: string, name: string, set: readonly string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        manifest,
        '--set',
        'provider.publish=false',
        '--set',
        `bootstrapper.workspace=${WS}`,
        '--set',
        `name=${name}`,
        ...set.flatMap((s) => ['--set', s]),
        '--progress',
        'plain',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) =>
      code === 0
        ? resolve(join(WS, `${name}.raw`))
        : reject(new Error(`build failed (${code}):\n${out.slice(-3000)}`)),
    );
  });
}

const runner = () => createHostRunner({ log: createNullLogger(), signal: new AbortController().signal });

const EC2_CHECKS = ['nic-drivers', 'time-sync', 'nvme-udev-rules', 'serial-console'];
const FIRST_BOOT = [
  'ssh-login',
  'user-data-once',
  'root-fills-disk',
  'fresh-host-keys',
  'imdsv2-tokens',
  ...EC2_CHECKS,
];
const TRIXIE = releaseGuestChecks({ deb822Sources: true, tmpOnTmpfs: true });
const BOOKWORM = releaseGuestChecks({ deb822Sources: false, tmpOnTmpfs: false });
const RELEASE_CHECKS = ['apt-sources-format', 'tmp-layout', 'host-key-types', 'network-stack'];

const REBOOT = ['ssh-login', 'user-data-once', 'host-keys-kept', 'machine-id-kept', 'root-fills-disk'].map(
  (n) => `reboot/${n}`,
);

describe('EC2 guest: both EC2 manifests build and boot', { skip }, () => {
  after(() => rmSync(WORK, { recursive: true, force: true }));

  it('init scripts: flaky IMDSv2, gzip user-data once, non-script user-data saved not run', async (t) => {
    const began = Date.now();
    const image = await build('manifests/debian-hvm-init-scripts.yml', 'it-ec2-init-scripts');
    const built = Date.now();
    const trace = '/var/lib/boot-test/not-a-script-ran';
    const notAScript = `touch ${trace}\n`;
    const report = await runBootTest({
      image,
      runner: runner(),
      user: 'admin',
      imds: 'v2',
      expectSsh: true,
      timeoutSeconds: 420,
      userData: gzipSync(USER_DATA),
      imdsFaults: { failFirst: 3, failStatus: 503, slowFirst: 1, slowMs: 8000 },
      guestChecks: ec2GuestChecks({
        initScriptLog: [...FIRST_BOOT_LOG, /gzip-compressed/, /retrying/],
        extra: TRIXIE,
      }),
      reboot: {
        userData: notAScript,
        guestChecks: ec2GuestChecks({
          initScriptLog: [/not a script \(no #! line\): saved/],
          extra: savedUserDataChecks(notAScript, trace),
        }),
      },
    });
    t.diagnostic(`build ${Math.round((built - began) / 1000)}s, boot test (2 boots) ${report.seconds}s`);
    assertPassed(report, [
      ...FIRST_BOOT,
      ...RELEASE_CHECKS,
      'init-scripts-log',
      'imds-faults-survived',
      ...REBOOT,
      'reboot/init-scripts-log',
      'reboot/user-data-saved-not-run',
    ]);
    rmSync(image, { force: true });
  });

  it('cloud-init: IMDSv2, user-data once across a reboot, the EC2 guest checks', async (t) => {
    const began = Date.now();
    const image = await build('manifests/debian-hvm-raw.yml', 'it-ec2-cloud-init');
    const built = Date.now();
    const report = await runBootTest({
      image,
      runner: runner(),
      user: 'admin',
      imds: 'v2',
      expectSsh: true,
      timeoutSeconds: 420,
      guestChecks: ec2GuestChecks({ extra: TRIXIE }),
      reboot: {},
    });
    t.diagnostic(`build ${Math.round((built - began) / 1000)}s, boot test (2 boots) ${report.seconds}s`);
    assertPassed(report, [...FIRST_BOOT, ...RELEASE_CHECKS, ...REBOOT]);
    rmSync(image, { force: true });
  });

  it('cloud-init, bookworm (--set system.release=bookworm): IMDSv2, user-data once, the EC2 guest checks', async (t) => {
    const began = Date.now();
    const image = await build('manifests/debian-hvm-raw.yml', 'it-ec2-cloud-init-bookworm', [
      'system.release=bookworm',
    ]);
    const built = Date.now();
    const report = await runBootTest({
      image,
      runner: runner(),
      user: 'admin',
      imds: 'v2',
      expectSsh: true,
      // One boot under a loaded host took 394 s: the deadline leaves room.
      timeoutSeconds: 600,
      guestChecks: ec2GuestChecks({ extra: BOOKWORM }),
    });
    t.diagnostic(`build ${Math.round((built - began) / 1000)}s, boot test ${report.seconds}s`);
    assertPassed(report, [...FIRST_BOOT, ...RELEASE_CHECKS]);
    rmSync(image, { force: true });
  });

  // A test, not an `after` hook, so the summary counts it: a failing hook made the run exit 1 while the
  // summary said `# fail 0` (issue 17, item 7).
  it('leaves no loop device or mount', () => {
    const { loops, mounts } = leftovers(WORK);
    assert.deepEqual([...loops, ...mounts], [], 'no loop device or mount left');
  });
});
