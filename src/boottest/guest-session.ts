/**
 * The part of a boot test after QEMU started: wait for the login prompt, log in over SSH with the
 * injected key (given to the guest by the metadata service and as the systemd credential
 * ssh.authorized_keys.root), probe, and judge every check. A check that cannot run fails and says why;
 * only checks that do not apply to the image are `skipped`, with the reason.
 */
import { hostname } from 'node:os';
import type { CommandRunner } from '../api/index.js';
import {
  checkBuildHostPaths,
  checkFailedUnits,
  checkFstab,
  checkHostKeys,
  checkImdsTokens,
  checkLoginPrompt,
  checkMachineId,
  checkRootDeviceErrors,
  checkRootFillsDiskIfApplies,
  checkUserDataIfApplies,
  cannotRun,
  consoleCmdline,
  notApplicable,
  type CheckResult,
  type ImageFacts,
} from './checks.js';
import { LOGIN_PROMPT, type ConsoleWatch } from './console-watch.js';
import { parseProbe, probeScript, type GuestFacts } from './guest-probe.js';
import type { ImdsRequest } from './imds-server.js';
import { checkHostKeysKept, checkMachineIdKept } from './reboot-checks.js';
import { sshdAnswered, sshRun, waitForSsh, type SshTarget } from './ssh.js';

/** The checks that need a login, in report order. */
export const SSH_CHECKS = [
  'ssh-login',
  'user-data-once',
  'root-fills-disk',
  'fstab-valid',
  'fresh-host-keys',
  'fresh-machine-id',
];

export interface SessionInput {
  readonly runner: CommandRunner;
  readonly console: ConsoleWatch;
  readonly requests: readonly ImdsRequest[];
  readonly ssh: SshTarget;
  readonly image: ImageFacts;
  readonly startedAt: number;
  readonly deadline: number;
  /** false: console checks only (the SSH checks do not apply); otherwise SSH must work. */
  readonly expectSsh: boolean | undefined;
  readonly expectImdsV2: boolean;
  readonly signal?: AbortSignal;
  readonly onCheck?: (c: CheckResult) => void;
  /** Caller's own checks, run after the built-in SSH checks when the login worked. */
  readonly guestChecks?: GuestChecks;
  /** What the previous boot of this instance saw: host keys and machine id must be kept, not fresh. */
  readonly previous?: GuestFacts;
  /** The names guestChecks reports, each failed as "could not run" when there is no login (default guest-checks). */
  readonly guestCheckNames?: readonly string[];
  /** Milliseconds after the login prompt before a login that cannot work is given up (default SSHD_GRACE_MS). */
  readonly sshGraceMs?: number;
}

/** What caller checks get: a command runner into the booted guest over the boot test's SSH login. */
export interface GuestShell {
  /** Seconds since QEMU started: the `seconds` a caller's check result should carry. */
  elapsed?(): number;
  /** Runs `command` in the guest as the boot test's user (or `opts.user`, with the same key); any exit code. */
  ssh(
    command: string,
    opts?: { readonly user?: string; readonly timeoutMs?: number },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
}

export type GuestChecks = (guest: GuestShell) => Promise<CheckResult[]>;

export interface SessionResult {
  readonly checks: CheckResult[];
  readonly timeToLoginPrompt: number | null;
  readonly timeToSsh: number | null;
  /** What the probe saw in the guest, when the login worked. */
  readonly facts?: GuestFacts;
}

/**
 * How long after the login prompt SSH may fail before the boot test stops waiting: nothing on port 22
 * (sshd not running), or the key refused when nothing gave it to the guest. Under TCG on a loaded host
 * cloud-init's sshd can come up well after the prompt.
 */
export const SSHD_GRACE_MS = 180_000;

export async function runGuestSession(s: SessionInput): Promise<SessionResult> {
  const checks: CheckResult[] = [];
  const add = (c: CheckResult) => {
    checks.push(c);
    s.onCheck?.(c);
  };
  const elapsed = () => (Date.now() - s.startedAt) / 1000;

  const prompt = await s.console.waitFor(LOGIN_PROMPT, s.deadline, s.signal);
  if (s.signal?.aborted) return { checks, timeToLoginPrompt: null, timeToSsh: null };
  add(checkLoginPrompt(prompt));
  const timeToLoginPrompt = prompt.kind === 'matched' ? round(prompt.seconds) : null;

  let facts: GuestFacts | undefined;
  let timeToSsh: number | null = null;
  if (s.expectSsh === false) {
    for (const name of [...SSH_CHECKS, ...guestCheckNames(s)])
      add(notApplicable(name, 'SSH checks were not requested', elapsed()));
  } else if (prompt.kind !== 'matched') {
    for (const name of SSH_CHECKS) add(cannotRun(name, 'the guest never showed a login prompt', elapsed()));
    for (const name of guestCheckNames(s))
      add(cannotRun(name, 'the guest never showed a login prompt', elapsed()));
  } else {
    const promptAt = Date.now();
    const login = await waitForSsh(s.runner, s.ssh, s.deadline, s.signal, (errors) =>
      sshGiveUp(s, errors, Date.now() - promptAt),
    );
    if (login.ok) {
      timeToSsh = round(elapsed());
      add({
        name: 'ssh-login',
        status: 'pass',
        seconds: timeToSsh,
        detail: `${s.ssh.user}@127.0.0.1:${s.ssh.port} with the injected key (${login.attempts} attempts)`,
      });
      const remaining = Math.max(5, (s.deadline - Date.now()) / 1000 - 10);
      const probe = await sshRun(s.runner, s.ssh, probeScript(remaining), (remaining + 30) * 1000);
      facts = parseProbe(probe.stdout);
      const t = elapsed();
      add(checkUserDataIfApplies(facts, s.requests, t));
      add(checkRootFillsDiskIfApplies(facts, t));
      add(checkFstab(facts, t));
      if (s.previous) {
        add(checkHostKeysKept(facts, s.previous, t));
        add(checkMachineIdKept(facts, s.previous, t));
      } else {
        add(checkHostKeys(facts, s.image, t));
        add(checkMachineId(facts, s.image, t));
      }
      if (s.guestChecks) for (const c of await runGuestChecks(s, s.guestChecks, elapsed)) add(c);
    } else {
      const why =
        login.gaveUp ??
        `no SSH login as ${s.ssh.user} before the timeout (${whyNoKey(s)}): ${login.lastError || 'no answer'}`;
      add({ name: 'ssh-login', status: 'fail', seconds: round(elapsed()), detail: why });
      for (const name of SSH_CHECKS.slice(1)) add(cannotRun(name, 'no SSH login', elapsed()));
      for (const name of guestCheckNames(s)) add(cannotRun(name, 'no SSH login', elapsed()));
    }
  }

  const serial = s.console.text();
  const cmdline = facts?.['cmdline'] || consoleCmdline(serial);
  const files = { '/proc/cmdline': cmdline || undefined, '/etc/fstab': facts?.['fstab'] || undefined };
  add(
    files['/proc/cmdline'] === undefined && files['/etc/fstab'] === undefined
      ? cannotRun('no-build-host-paths', 'no kernel command line on the console and no SSH login', elapsed())
      : checkBuildHostPaths(files, hostname(), elapsed()),
  );
  add(checkRootDeviceErrors(elapsed(), serial, facts?.['kernel-log'] ?? ''));
  add(checkFailedUnits(serial, elapsed()));
  add(checkImdsTokens(s.requests, s.expectImdsV2, elapsed()));
  return { checks, timeToLoginPrompt, timeToSsh, ...(facts ? { facts } : {}) };
}

/**
 * When to stop waiting for SSH before the deadline, with the reason: nothing answered on port 22 for
 * SSHD_GRACE_MS after the login prompt (sshd not running), or sshd kept refusing the key that long and
 * no route gave it to the guest (no metadata client fetched it, and the guest's systemd did not import
 * the SMBIOS credential).
 */
export function sshGiveUp(
  s: Pick<SessionInput, 'ssh' | 'requests' | 'console' | 'sshGraceMs'>,
  errors: readonly string[],
  sincePromptMs: number,
): string | undefined {
  const grace = s.sshGraceMs ?? SSHD_GRACE_MS;
  if (sincePromptMs < grace) return undefined;
  const secs = Math.round(sincePromptMs / 1000);
  const last = errors.at(-1) ?? '';
  // A metadata client at work (cloud-init) may hold sshd back: then only the deadline ends the wait.
  if (!errors.some(sshdAnswered) && !keyFetched(s.requests)) {
    return `nothing answered on the guest's port 22 for ${secs} s after the login prompt (is sshd running and enabled?): ${last}`;
  }
  if (sshdAnswered(last) && !keyFetched(s.requests)) {
    return `sshd refused the boot test's key as ${s.ssh.user} for ${secs} s after the login prompt: ${whyNoKey(s)}`;
  }
  return undefined;
}

function keyFetched(requests: readonly ImdsRequest[]): boolean {
  return requests.some((r) => r.path.endsWith('/openssh-key') && r.status === 200);
}

/** The minimum systemd that imports credentials from SMBIOS type 11 (bookworm has 252, trixie 257). */
export const SMBIOS_CREDENTIALS_SINCE = 254;

/** How the key should have reached the guest, and what the console says about why it did not. */
function whyNoKey(s: Pick<SessionInput, 'ssh' | 'requests' | 'console'>): string {
  const fetched = keyFetched(s.requests)
    ? 'the guest fetched the key from the metadata service'
    : 'nothing in the guest fetched the key from the metadata service';
  const version = systemdVersion(s.console.text());
  const credential =
    s.ssh.user !== 'root'
      ? `the systemd credential ssh.authorized_keys.root is root's only, not ${s.ssh.user}'s`
      : version === undefined
        ? 'the guest did not take the SMBIOS credential ssh.authorized_keys.root (systemd version not on the console)'
        : version < SMBIOS_CREDENTIALS_SINCE
          ? `the guest's systemd ${version} does not import SMBIOS credentials (${SMBIOS_CREDENTIALS_SINCE} or later does), so ssh.authorized_keys.root never reached it`
          : `systemd ${version} had the credential ssh.authorized_keys.root but root's key was not accepted`;
  return `${fetched}; ${credential}`;
}

/** systemd's major version from its start-up line on the console ("systemd 257.13-1 running in system mode"). */
export function systemdVersion(serial: string): number | undefined {
  const m = /systemd (\d+)(?:[.~+\w-]*)? running in system mode/.exec(serial);
  return m ? Number(m[1]) : undefined;
}

function guestCheckNames(s: SessionInput): readonly string[] {
  if (!s.guestChecks) return [];
  return s.guestCheckNames && s.guestCheckNames.length > 0 ? s.guestCheckNames : ['guest-checks'];
}

/** A throwing caller check is a failed check, not a crashed boot test (QEMU must still be stopped). */
async function runGuestChecks(
  s: SessionInput,
  guestChecks: GuestChecks,
  elapsed: () => number,
): Promise<CheckResult[]> {
  const guest: GuestShell = {
    elapsed: () => round(elapsed()),
    ssh: async (command, opts) => {
      const target = opts?.user ? { ...s.ssh, user: opts.user } : s.ssh;
      const r = await sshRun(s.runner, target, command, opts?.timeoutMs);
      return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
  };
  try {
    return await guestChecks(guest);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return [{ name: 'guest-checks', status: 'fail', seconds: round(elapsed()), detail }];
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
