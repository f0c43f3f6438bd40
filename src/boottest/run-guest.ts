/**
 * `bootstrap run` as a library call: boots an image for a person (or a script) instead of checking it,
 * with the boot test's machinery (`guest-machine.ts`): a throw-away overlay unless `persist`, the local
 * metadata service, the key as metadata and as the systemd credential. Two ways to use it:
 *   - console: the serial console on `output`, `input` typed into it; the byte `quitByte` (Ctrl-])
 *     ends the session. Ctrl-C is an ordinary byte for the guest when the caller made the terminal raw.
 *   - ssh: waits for SSH with the key, then runs ssh on the caller's terminal (a shell, or `command`).
 * Either way QEMU, swtpm, the metadata service, the overlay and the temp dir are gone when it returns,
 * also after `signal` aborts (Ctrl-C outside raw mode, SIGTERM) or QEMU's own exit (a poweroff).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:os';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { CommandRunner } from '../api/index.js';
import { prepareGuest, type PreparedGuest } from './guest-machine.js';
import { startQemu, type QemuProcess } from './qemu.js';
import type { Accel, Firmware, GuestArch } from './qemu-argv.js';
import { defaultTimeoutSeconds } from './run-boot-test.js';
import { interactiveSshArgv, waitForSsh, type SshTarget } from './ssh.js';

/** Ctrl-] (0x1d), the quit key of telnet and `virsh console`. */
export const QUIT_BYTE = 0x1d;
export const QUIT_KEY = 'Ctrl-]';

export type RunMode =
  | {
      readonly kind: 'console';
      /** Typed into the serial console (a raw terminal, a pipe). Its end does not stop the guest. */
      readonly input: Readable;
      /** Where the serial console goes. */
      readonly output: Writable;
      /**
       * Called as the console starts: the caller makes its terminal raw there (not while QEMU is being
       * prepared), and Ctrl-C is then a byte for the guest. Without it, input is not a terminal.
       */
      readonly onStart?: () => void;
    }
  | {
      readonly kind: 'ssh';
      /** Words of a command to run instead of a login shell; ssh joins them for the remote shell. */
      readonly command?: readonly string[];
      /** Seconds to wait for SSH (default: the boot test's, 300; 900 for arm64 under TCG). */
      readonly timeoutSeconds?: number;
    };

export interface RunGuestOptions {
  readonly image: string;
  readonly runner: CommandRunner;
  readonly arch: GuestArch;
  readonly firmware: Firmware;
  readonly secureBoot?: boolean;
  readonly tpm?: boolean;
  readonly persist?: boolean;
  readonly memoryMiB?: number;
  readonly cpus?: number;
  /** The user the printed ssh command and `--ssh` log in as. */
  readonly user: string;
  /** The user's own private key (public half at KEY.pub) instead of a fresh one. */
  readonly sshKey?: string;
  readonly accel?: Accel;
  readonly mode: RunMode;
  readonly signal?: AbortSignal;
  /** Status lines for the person (stderr): what boots, the ssh command, the quit key. */
  readonly onStatus?: (message: string) => void;
  /** QEMU's and swtpm's PIDs and the temp dir, as soon as they exist (the host journal). */
  readonly onResources?: (r: { pid?: number; pids?: readonly number[]; dir: string }) => void;
  /** Prefix of the printed ssh command, e.g. `sudo ` when the key belongs to root. */
  readonly sshPrefix?: string;
}

export interface RunGuestResult {
  /** QEMU's exit status, or ssh's (the command's) in ssh mode. */
  readonly exitCode: number;
  /** What ended the session. */
  readonly ended: 'quit' | 'qemu-exited' | 'interrupted' | 'ssh-ended' | 'no-ssh';
}

export async function runGuest(o: RunGuestOptions): Promise<RunGuestResult> {
  const image = resolve(o.image);
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-run-'));
  o.onResources?.({ dir });
  let guest: PreparedGuest | undefined;
  let qemu: QemuProcess | undefined;
  try {
    guest = await prepareGuest({
      image,
      runner: o.runner,
      dir,
      arch: o.arch,
      firmware: o.firmware,
      allowReboot: true,
      ...(o.secureBoot ? { secureBoot: true } : {}),
      ...(o.tpm ? { tpm: true } : {}),
      ...(o.persist ? { persist: true } : {}),
      ...(o.memoryMiB !== undefined ? { memoryMiB: o.memoryMiB } : {}),
      ...(o.cpus !== undefined ? { cpus: o.cpus } : {}),
      ...(o.sshKey ? { sshKey: o.sshKey } : {}),
      ...(o.accel ? { accel: o.accel } : {}),
      onSwtpm: (pid) => o.onResources?.({ pids: [pid], dir }),
    });
    const target: SshTarget = { user: o.user, port: guest.sshPort, key: guest.key.privateKey };
    const extras = [o.secureBoot ? 'Secure Boot' : '', guest.swtpm ? 'TPM 2.0' : ''].filter(Boolean);
    o.onStatus?.(
      `booting ${image} (${[o.firmware, ...extras, guest.accel].join(', ')}) ` +
        (o.persist ? 'itself: what the guest writes stays in the image' : 'on a throw-away overlay'),
    );
    o.onStatus?.(`ssh: ${o.sshPrefix ?? ''}${shellJoin(interactiveSshArgv(target))}`);
    const console = o.mode.kind === 'console' ? o.mode : undefined;
    if (console)
      o.onStatus?.(
        `serial console follows; ${QUIT_KEY} quits` +
          (console.onStart
            ? ' (Ctrl-C goes to the guest)'
            : ' (input is not a terminal: also Ctrl-C or SIGTERM)'),
      );
    qemu = startQemu(
      guest.argv,
      join(dir, 'serial.log'),
      console ? { input: true, echo: console.output } : {},
    );
    if (qemu.pid !== undefined)
      o.onResources?.({
        pid: qemu.pid,
        ...(guest.swtpm?.pid !== undefined ? { pids: [guest.swtpm.pid] } : {}),
        dir,
      });
    if (o.mode.kind === 'console') {
      o.mode.onStart?.();
      return await consoleSession(qemu, o.mode.input, o.signal);
    }
    const deadline =
      Date.now() + (o.mode.timeoutSeconds ?? defaultTimeoutSeconds(o.arch, guest.accel)) * 1000;
    return await sshSession(o, qemu, target, deadline, o.mode.command);
  } finally {
    await qemu?.stop();
    await guest?.release();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Copies `input` into the console until the quit byte, QEMU's exit or an abort. */
export async function consoleSession(
  qemu: QemuProcess,
  input: Readable,
  signal: AbortSignal | undefined,
): Promise<RunGuestResult> {
  let onData: ((chunk: Buffer | string) => void) | undefined;
  let onAbort: (() => void) | undefined;
  const quit = new Promise<'quit' | 'interrupted'>((resolveQuit) => {
    onData = (chunk) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const at = bytes.indexOf(QUIT_BYTE);
      const typed = at === -1 ? bytes : bytes.subarray(0, at);
      if (typed.length > 0 && qemu.input?.writable) qemu.input.write(typed);
      if (at !== -1) resolveQuit('quit');
    };
    onAbort = () => resolveQuit('interrupted');
    if (signal?.aborted) resolveQuit('interrupted');
    signal?.addEventListener('abort', onAbort, { once: true });
    input.on('data', onData);
    input.resume();
  });
  try {
    const ended = await Promise.race([quit, qemu.exited.then(() => 'qemu-exited' as const)]);
    await qemu.stop();
    return { exitCode: statusOf(await qemu.exited), ended };
  } finally {
    if (onData) input.off('data', onData);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    input.pause();
  }
}

/** Waits for SSH, then runs ssh on the caller's terminal; QEMU's exit or an abort ends either. */
async function sshSession(
  o: RunGuestOptions,
  qemu: QemuProcess,
  target: SshTarget,
  deadline: number,
  command: readonly string[] | undefined,
): Promise<RunGuestResult> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  o.signal?.addEventListener('abort', abort, { once: true });
  if (o.signal?.aborted) stop.abort();
  void qemu.exited.then(abort);
  try {
    o.onStatus?.('waiting for SSH (the serial console is not shown with --ssh)');
    const login = await waitForSsh(o.runner, target, deadline, stop.signal);
    if (!login.ok) {
      if (o.signal?.aborted) return { exitCode: statusOf(await stopped(qemu)), ended: 'interrupted' };
      const tail = qemu.console.text().trimEnd().split('\n').slice(-15).join('\n');
      const why = stop.signal.aborted
        ? `QEMU exited (${String(await qemu.exited)})${qemu.stderr().trim() ? `: ${qemu.stderr().trim()}` : ''}`
        : `no SSH login as ${target.user} before the timeout: ${login.lastError || 'no answer'}`;
      o.onStatus?.(`${why}\nlast lines of the serial console:\n${tail}`);
      return { exitCode: 1, ended: 'no-ssh' };
    }
    const [file, ...args] = interactiveSshArgv(target, command ?? []);
    const ssh = spawn(file ?? 'ssh', args, { stdio: 'inherit' });
    const onStop = () => ssh.kill('SIGTERM');
    stop.signal.addEventListener('abort', onStop, { once: true });
    const status = await new Promise<number>((resolveSsh) => {
      ssh.once('exit', (code, sig) => resolveSsh(code ?? 128 + signalNumber(sig)));
      ssh.once('error', () => resolveSsh(255));
    });
    stop.signal.removeEventListener('abort', onStop);
    if (o.signal?.aborted) return { exitCode: statusOf(await stopped(qemu)), ended: 'interrupted' };
    return { exitCode: status, ended: 'ssh-ended' };
  } finally {
    o.signal?.removeEventListener('abort', abort);
  }
}

async function stopped(qemu: QemuProcess): Promise<number | string> {
  await qemu.stop();
  return qemu.exited;
}

/** QEMU's exit code, or 128 + the signal's number when a signal ended it (as a shell reports it). */
export function statusOf(exit: number | string): number {
  if (typeof exit === 'number') return exit;
  return exit === 'spawn-failed' || exit === 'unknown' ? 1 : 128 + signalNumber(exit);
}

function signalNumber(sig: NodeJS.Signals | string | null): number {
  if (!sig) return 0;
  return (constants.signals as Record<string, number | undefined>)[sig] ?? 0;
}

/** An argv as a line to paste into a POSIX shell. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
