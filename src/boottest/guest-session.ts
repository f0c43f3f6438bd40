/**
 * The part of a boot test after QEMU started: wait for the login prompt, decide whether SSH can work
 * (the guest must have fetched the injected key), log in, probe, and judge every check.
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
  checkRootFillsDisk,
  checkUserData,
  consoleCmdline,
  skipped,
  type CheckResult,
  type ImageFacts,
} from './checks.js';
import { LOGIN_PROMPT, type ConsoleWatch } from './console-watch.js';
import { parseProbe, probeScript, type GuestFacts } from './guest-probe.js';
import type { ImdsRequest } from './imds-server.js';
import { checkHostKeysKept, checkMachineIdKept } from './reboot-checks.js';
import { sleep, sshRun, waitForSsh, type SshTarget } from './ssh.js';

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
  /** true: SSH must work (--require-ssh, or cloud-init in the manifest); undefined: decide from the guest. */
  readonly expectSsh: boolean | undefined;
  readonly expectImdsV2: boolean;
  readonly signal?: AbortSignal;
  readonly onCheck?: (c: CheckResult) => void;
  /** Caller's own checks, run after the built-in SSH checks when the login worked. */
  readonly guestChecks?: GuestChecks;
  /** What the previous boot of this instance saw: host keys and machine id must be kept, not fresh. */
  readonly previous?: GuestFacts;
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

/** How long after the login prompt a guest may take to ask for its key before SSH is given up. */
const KEY_GRACE_MS = 15_000;

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
  const skipReason = prompt.kind !== 'matched' ? 'no login prompt' : await sshSkipReason(s);
  if (skipReason === undefined) {
    const login = await waitForSsh(s.runner, s.ssh, s.deadline, s.signal);
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
      add(checkUserData(facts, s.requests, t));
      add(checkRootFillsDisk(facts, t));
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
      add({
        name: 'ssh-login',
        status: 'fail',
        seconds: round(elapsed()),
        detail: `no SSH login as ${s.ssh.user} before the timeout: ${login.lastError}`,
      });
      for (const name of SSH_CHECKS.slice(1)) add(skipped(name, 'no SSH login', elapsed()));
      if (s.guestChecks) add(skipped('guest-checks', 'no SSH login', elapsed()));
    }
  } else {
    for (const name of SSH_CHECKS) add(skipped(name, skipReason, elapsed()));
    if (s.guestChecks) add(skipped('guest-checks', skipReason, elapsed()));
  }

  const serial = s.console.text();
  const cmdline = facts?.['cmdline'] || consoleCmdline(serial);
  const files = { '/proc/cmdline': cmdline || undefined, '/etc/fstab': facts?.['fstab'] || undefined };
  add(
    files['/proc/cmdline'] === undefined && files['/etc/fstab'] === undefined
      ? skipped('no-build-host-paths', 'no kernel command line on the console and no SSH login', elapsed())
      : checkBuildHostPaths(files, hostname(), elapsed()),
  );
  add(checkRootDeviceErrors(elapsed(), serial, facts?.['kernel-log'] ?? ''));
  add(checkFailedUnits(serial, elapsed()));
  add(checkImdsTokens(s.requests, s.expectImdsV2, elapsed()));
  return { checks, timeToLoginPrompt, timeToSsh, ...(facts ? { facts } : {}) };
}

/**
 * Why SSH checks are skipped, or undefined to try SSH. Without cloud-init or EC2 init scripts nothing
 * installs the injected key, and waiting for a login that cannot work would only burn the timeout.
 */
async function sshSkipReason(s: SessionInput): Promise<string | undefined> {
  if (s.expectSsh === true) return undefined;
  if (s.expectSsh === false) return 'SSH checks not requested';
  const until = Math.min(s.deadline, Date.now() + KEY_GRACE_MS);
  while (Date.now() < until && !s.signal?.aborted) {
    if (s.requests.some((r) => r.path.endsWith('/openssh-key') && r.status === 200)) return undefined;
    await sleep(500, s.signal);
  }
  if (s.requests.some((r) => r.path.endsWith('/openssh-key') && r.status === 200)) return undefined;
  return s.requests.length === 0
    ? 'the guest never asked the metadata service (no cloud-init or EC2 init scripts), so it has no SSH key'
    : 'the guest never fetched public-keys/0/openssh-key, so it has no SSH key';
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
