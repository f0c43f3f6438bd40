/**
 * `boot-test` as a library call: boots a throw-away overlay of IMAGE in QEMU against a local metadata
 * service, runs the checks, and releases everything (QEMU, its socat relays, the metadata server,
 * ports, the overlay and the temp dir) on success, failure, timeout and abort. The temp dir, with the
 * serial log, is kept when a check failed or `keep` is set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CommandRunner } from '../api/index.js';
import type { CheckResult } from './checks.js';
import { runGuestSession, type GuestChecks, type SessionResult } from './guest-session.js';
import { prepareGuest, type PreparedGuest } from './guest-machine.js';
import { readImageFacts } from './image-facts.js';
import { metadataTree } from './imds-data.js';
import type { ImdsFaults } from './imds-server.js';
import { USER_DATA } from './guest-probe.js';
import { combineGuestChecks, secureBootChecks, tpmChecks } from './firmware-checks.js';
import { startQemu, type QemuProcess } from './qemu.js';
import type { Accel, Firmware, GuestArch } from './qemu-argv.js';
import { passed, type BootTestReport } from './report.js';
import { sleep, sshRun } from './ssh.js';
import { judgeImdsFaults } from './ec2-checks.js';

export interface BootTestOptions {
  readonly image: string;
  readonly runner: CommandRunner;
  readonly firmware?: Firmware;
  readonly arch?: GuestArch;
  /** Seconds for the whole boot and every check (default 300; 900 for arm64 under TCG). */
  readonly timeoutSeconds?: number;
  /** The user SSH logs in as (default root). */
  readonly user?: string;
  /** v2: the metadata service rejects requests without a token, and the check requires tokens. */
  readonly imds?: 'v1' | 'v2';
  /** The image claims IMDSv2 support (e.g. the manifest registers it with ImdsSupport v2.0). */
  readonly imageClaimsImdsV2?: boolean;
  /** true: SSH must work; false: console checks only; undefined: SSH if the guest fetched the key. */
  readonly expectSsh?: boolean;
  /** Keep the temp dir even when every check passed. */
  readonly keep?: boolean;
  /** Skip detection and use this accelerator. */
  readonly accel?: Accel;
  readonly signal?: AbortSignal;
  readonly onCheck?: (c: CheckResult) => void;
  readonly onStatus?: (message: string) => void;
  /**
   * Told the QEMU PID (and swtpm's, in `pids`) and the temp dir as soon as they exist, for a
   * last-resort cleanup on a second Ctrl-C.
   */
  readonly onResources?: (r: { pid?: number; pids?: readonly number[]; dir: string }) => void;
  /** Caller's checks, run in the guest after the built-in SSH checks; their results join the report. */
  readonly guestChecks?: GuestChecks;
  /**
   * An existing private key (its public half at KEY.pub) instead of a fresh one, for images that already
   * authorize it (e.g. admin_user's pubkey) rather than fetching it from the metadata service.
   */
  readonly sshKey?: string;
  /** The instance's user-data (default: a script that counts its runs); a Buffer for gzip. */
  readonly userData?: string | Buffer;
  /** The metadata service fails or stalls its first answers (the guest must retry through them). */
  readonly imdsFaults?: ImdsFaults;
  /**
   * After the checks, power the guest off from inside and boot the same disk again as the same
   * instance, with this user-data if given; the checks of that boot are reported as `reboot/<name>`.
   */
  readonly reboot?: { readonly userData?: string | Buffer; readonly guestChecks?: GuestChecks };
  /**
   * UEFI with OVMF's Secure Boot firmware and Microsoft's keys enrolled; the guest must show Secure Boot
   * enabled and the shim -> grub -> kernel chain (checks `secure-boot`, `secure-boot-chain`).
   */
  readonly secureBoot?: boolean;
  /** Attach a swtpm TPM 2.0; the guest must see it and a measured boot (`tpm-device`, `tpm-measured-boot`). */
  readonly tpm?: boolean;
  /** Milliseconds after the login prompt before a login that cannot work is given up. */
  readonly sshGraceMs?: number;
}

/** How long a guest may take to power off before the reboot counts as failed. */
const POWEROFF_MS = 120_000;

export const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * The default timeout for a guest: an arm64 guest under TCG on an x86 host is emulated instruction
 * by instruction (its firmware, kernel and cloud-init take about 3 to 5 times as long as amd64's).
 */
export function defaultTimeoutSeconds(arch: GuestArch, accel: Accel): number {
  return arch === 'arm64' && accel === 'tcg' ? 900 : DEFAULT_TIMEOUT_SECONDS;
}

export async function runBootTest(o: BootTestOptions): Promise<BootTestReport> {
  const began = Date.now();
  const image = resolve(o.image);
  const firmware = o.secureBoot ? 'uefi' : (o.firmware ?? 'bios');
  if (o.secureBoot && o.firmware === 'bios') throw new Error('Secure Boot needs UEFI firmware, not bios');
  const arch = o.arch ?? 'amd64';
  const imds = o.imds ?? 'v1';
  const user = o.user ?? 'root';
  const dir = await mkdtemp(join(tmpdir(), 'boot-test-'));
  o.onResources?.({ dir });
  let guest: PreparedGuest | undefined;
  let qemu: QemuProcess | undefined;
  let accel: Accel = o.accel ?? 'tcg';
  let session: SessionResult = { checks: [], timeToLoginPrompt: null, timeToSsh: null };
  let ok = false;
  let finished = false;
  try {
    guest = await prepareGuest({
      image,
      runner: o.runner,
      dir,
      arch,
      firmware,
      userData: o.userData ?? USER_DATA,
      imds,
      ...(o.secureBoot ? { secureBoot: true } : {}),
      ...(o.tpm ? { tpm: true } : {}),
      ...(o.accel ? { accel: o.accel } : {}),
      ...(o.sshKey ? { sshKey: o.sshKey } : {}),
      ...(o.imdsFaults ? { imdsFaults: o.imdsFaults } : {}),
      onSwtpm: (pid) => o.onResources?.({ pids: [pid], dir }),
    });
    const { key, identity, server, sshPort, swtpm, argv } = guest;
    accel = guest.accel;
    const imageFacts = await readImageFacts(o.runner, image, guest.imageFormat);
    const guestChecks = combineGuestChecks(
      o.secureBoot ? secureBootChecks : undefined,
      o.tpm ? tpmChecks : undefined,
      o.guestChecks,
    );
    const extras = [o.secureBoot ? 'Secure Boot' : '', swtpm ? 'TPM 2.0' : ''].filter(Boolean);
    o.onStatus?.(
      `booting ${image} (${[firmware, ...extras, accel].join(', ')}), serial log ${join(dir, 'serial.log')}`,
    );
    const startedAt = Date.now();
    qemu = startQemu(argv, join(dir, 'serial.log'));
    if (qemu.pid !== undefined)
      o.onResources?.({ pid: qemu.pid, ...(swtpm?.pid !== undefined ? { pids: [swtpm.pid] } : {}), dir });
    session = await runGuestSession({
      runner: o.runner,
      console: qemu.console,
      requests: server.requests,
      ssh: { user, port: sshPort, key: key.privateKey },
      image: imageFacts,
      startedAt,
      deadline: startedAt + (o.timeoutSeconds ?? defaultTimeoutSeconds(arch, accel)) * 1000,
      expectSsh: o.expectSsh,
      expectImdsV2: imds === 'v2' || Boolean(o.imageClaimsImdsV2),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onCheck ? { onCheck: o.onCheck } : {}),
      ...(guestChecks ? { guestChecks, guestCheckNames: guestCheckNamesOf(o) } : {}),
      ...(o.sshGraceMs !== undefined ? { sshGraceMs: o.sshGraceMs } : {}),
    });
    if (o.imdsFaults) addCheck(session, judgeImdsFaults(server.requests, o.imdsFaults), o.onCheck);
    const firstFacts = session.facts;
    if (o.reboot && firstFacts && !o.signal?.aborted) {
      const target = { user, port: sshPort, key: key.privateKey };
      o.onStatus?.('powering the guest off for the reboot test');
      await sshRun(o.runner, target, 'sudo -n systemctl poweroff || systemctl poweroff', 30_000);
      const stopped = await Promise.race([
        qemu.exited.then(() => true),
        sleep(POWEROFF_MS, o.signal).then(() => false),
      ]);
      await qemu.stop();
      if (!stopped) {
        addCheck(
          session,
          { name: 'reboot', status: 'fail', seconds: 0, detail: 'the guest did not power off' },
          o.onCheck,
        );
      } else if (!o.signal?.aborted) {
        if (o.reboot.userData !== undefined)
          server.setTree(metadataTree({ ...identity, userData: o.reboot.userData }));
        const log = join(dir, 'serial-reboot.log');
        o.onStatus?.(`booting the same disk again, serial log ${log}`);
        const again = Date.now();
        qemu = startQemu(argv, log);
        if (qemu.pid !== undefined) o.onResources?.({ pid: qemu.pid, dir });
        const onCheck = o.onCheck;
        const second = await runGuestSession({
          runner: o.runner,
          console: qemu.console,
          requests: server.requests,
          ssh: target,
          image: imageFacts,
          startedAt: again,
          deadline: again + (o.timeoutSeconds ?? defaultTimeoutSeconds(arch, accel)) * 1000,
          expectSsh: true,
          expectImdsV2: imds === 'v2' || Boolean(o.imageClaimsImdsV2),
          previous: firstFacts,
          ...(o.signal ? { signal: o.signal } : {}),
          ...(onCheck ? { onCheck: (c: CheckResult) => onCheck({ ...c, name: `reboot/${c.name}` }) } : {}),
          ...(o.reboot.guestChecks ? { guestChecks: o.reboot.guestChecks } : {}),
        });
        session.checks.push(...second.checks.map((c) => ({ ...c, name: `reboot/${c.name}` })));
      }
    }
    if (o.signal?.aborted)
      throw o.signal.reason instanceof Error ? o.signal.reason : new Error('interrupted');
    const qemuError = qemu.stderr().trim();
    if (session.checks[0]?.status === 'fail' && qemuError) {
      session.checks.push({
        name: 'qemu',
        status: 'fail',
        seconds: 0,
        detail: qemuError.split('\n').slice(-3).join(' | '),
      });
    }
    ok = passed(session.checks);
    finished = true;
  } finally {
    await qemu?.stop();
    await guest?.release();
    // Kept: everything with --keep; the serial log of a failed run. An aborted or crashed run leaves nothing.
    if (!o.keep && (ok || !finished)) await rm(dir, { recursive: true, force: true });
    else if (!o.keep) await rm(join(dir, 'overlay.qcow2'), { force: true });
  }
  const kept = !ok || Boolean(o.keep);
  return {
    image,
    firmware,
    ...(o.secureBoot ? { secureBoot: true } : {}),
    ...(o.tpm ? { tpm: true } : {}),
    accel,
    seconds: Math.round((Date.now() - began) / 100) / 10,
    timeToLoginPrompt: session.timeToLoginPrompt,
    timeToSsh: session.timeToSsh,
    user,
    imds,
    checks: session.checks,
    notApplicable: session.checks
      .filter((c) => c.status === 'skipped')
      .map((c) => ({ name: c.name, reason: c.detail })),
    imdsRequests: guest ? [...guest.server.requests] : [],
    ...(kept ? { serialLog: join(dir, 'serial.log'), workDir: dir } : {}),
    ok,
  };
}

/** What the guest checks of this run report, so each is named when they cannot run. */
function guestCheckNamesOf(o: BootTestOptions): string[] {
  return [
    ...(o.secureBoot ? ['secure-boot', 'secure-boot-chain'] : []),
    ...(o.tpm ? ['tpm-device', 'tpm-measured-boot'] : []),
    ...(o.guestChecks ? ['guest-checks'] : []),
  ];
}

function addCheck(session: SessionResult, c: CheckResult, onCheck?: (c: CheckResult) => void): void {
  session.checks.push(c);
  onCheck?.(c);
}
