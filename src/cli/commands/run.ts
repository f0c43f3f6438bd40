/**
 * `bootstrap run IMAGE`: boots an image to use it, as `mkosi qemu` and `mkosi ssh` do. The serial
 * console on the terminal (raw when stdin is one; Ctrl-] quits), or with `--ssh` a login over SSH
 * (`-- COMMAND` runs a command there and exits with its status). A throw-away overlay unless
 * `--persist`; the boot test's metadata service and key route (`src/boottest/run-guest.ts`). QEMU,
 * swtpm and the temp dir go to the host journal, so `bootstrap cleanup` stops them after a SIGKILL.
 * Exit: QEMU's status (ssh's with --ssh), 2 for usage errors.
 */
import { randomBytes } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { processStartTime } from '../../api/index.js';
import { bootResourceJournal } from '../../boottest/boot-test-plugin.js';
import { QUIT_KEY, runGuest, type RunMode } from '../../boottest/run-guest.js';
import { createFileJournal } from '../../engine/cloud-journal-file.js';
import { createNullLogger } from '../../log/logger.js';
import { createHostRunner } from '../../runner/index.js';
import { CliExit, EXIT_USAGE } from '../exit-codes.js';
import type { Output } from '../output.js';
import { bootTarget, checkFirmwareFlags, guestInterrupts } from './boot-target.js';

export interface RunCommandOptions {
  readonly manifest?: string;
  readonly firmware?: string;
  readonly secureBoot?: boolean;
  readonly tpm?: boolean;
  /** Boot the image itself: what the guest writes stays. */
  readonly persist?: boolean;
  /** Log in over SSH instead of showing the console. */
  readonly ssh?: boolean;
  /** The user's private key (public half at KEY.pub) instead of a fresh one. */
  readonly sshKey?: string;
  readonly user?: string;
  /** MiB, as typed. */
  readonly memory?: string;
  readonly cpus?: string;
  /** Seconds to wait for SSH with --ssh, as typed. */
  readonly timeout?: string;
}

/** The terminal the session runs on; tests pass their own streams. */
export interface RunTerminal {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: Writable;
}

/** The run's settings from its flags; every wrong value a usage error (exit 2) before anything starts. */
export interface RunSettings {
  readonly memoryMiB?: number;
  readonly cpus?: number;
  readonly timeoutSeconds?: number;
}

export function runSettings(command: readonly string[], opts: RunCommandOptions): RunSettings {
  checkFirmwareFlags(opts);
  if (command.length > 0 && !opts.ssh) {
    throw new CliExit(
      EXIT_USAGE,
      `a command (${command.join(' ')}) runs over SSH: bootstrap run IMAGE --ssh -- COMMAND`,
    );
  }
  if (opts.timeout !== undefined && !opts.ssh) {
    throw new CliExit(EXIT_USAGE, '--timeout is how long --ssh waits for SSH; it needs --ssh');
  }
  const memoryMiB = positiveInteger('--memory', opts.memory, 'MiB', 256);
  const cpus = positiveInteger('--cpus', opts.cpus, 'CPUs', 1);
  const timeoutSeconds = positiveInteger('--timeout', opts.timeout, 'seconds', 1);
  return {
    ...(memoryMiB !== undefined ? { memoryMiB } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
  };
}

export async function runCommand(
  image: string,
  command: readonly string[],
  opts: RunCommandOptions,
  out: Output,
  terminal: RunTerminal = { stdin: process.stdin, stdout: process.stdout },
): Promise<number> {
  const settings = runSettings(command, opts);
  if (opts.sshKey) {
    for (const file of [opts.sshKey, `${opts.sshKey}.pub`]) {
      try {
        await access(file, constants.R_OK);
      } catch {
        throw new CliExit(EXIT_USAGE, `--ssh-key: ${file} is not readable (the key and KEY.pub are needed)`);
      }
    }
  }
  const { defaults, arch, firmware } = await bootTarget(image, opts, out, 'run');
  const user = opts.user ?? defaults.user;
  if (opts.persist) {
    out.err(
      `--persist: booting ${resolve(image)} itself, not a throw-away overlay: what the guest writes ` +
        '(host keys, machine-id, logs, your changes) stays in the image, which is then no longer the image as built',
    );
  }

  const { interrupts, record } = guestInterrupts(
    out,
    '\ninterrupted: stopping QEMU and removing the temp dir (Ctrl-C again to force)',
  );
  // QEMU, swtpm and the temp dir in the host journal, for `bootstrap cleanup` after a SIGKILL.
  const runId = randomBytes(4).toString('hex');
  const start = processStartTime(process.pid);
  const journal = createFileJournal(runId, undefined, start ? { owner: { pid: process.pid, start } } : {});
  const journaled = bootResourceJournal(journal);
  const runner = createHostRunner({ log: createNullLogger(), signal: interrupts.signal });
  const raw = !opts.ssh && terminal.stdin.isTTY === true && typeof terminal.stdin.setRawMode === 'function';
  const mode: RunMode = opts.ssh
    ? {
        kind: 'ssh',
        ...(command.length > 0 ? { command } : {}),
        ...(settings.timeoutSeconds !== undefined ? { timeoutSeconds: settings.timeoutSeconds } : {}),
      }
    : {
        kind: 'console',
        input: terminal.stdin,
        output: terminal.stdout,
        // Raw once the console starts: until then Ctrl-C is still a signal that stops the preparation.
        ...(raw ? { onStart: () => terminal.stdin.setRawMode?.(true) } : {}),
      };
  try {
    const result = await runGuest({
      image,
      runner,
      arch,
      firmware,
      user,
      mode,
      ...(opts.secureBoot ? { secureBoot: true } : {}),
      ...(opts.tpm ? { tpm: true } : {}),
      ...(opts.persist ? { persist: true } : {}),
      ...(opts.sshKey ? { sshKey: opts.sshKey } : {}),
      ...(settings.memoryMiB !== undefined ? { memoryMiB: settings.memoryMiB } : {}),
      ...(settings.cpus !== undefined ? { cpus: settings.cpus } : {}),
      // Run with sudo, the fresh key is root's: the person in another terminal needs sudo to read it.
      ...(process.getuid?.() === 0 && process.env['SUDO_USER'] && !opts.sshKey ? { sshPrefix: 'sudo ' } : {}),
      signal: interrupts.signal,
      onStatus: (m) => out.err(m),
      onResources: (r) => {
        record(r);
        journaled.record(r);
      },
    });
    if (raw) terminal.stdin.setRawMode?.(false);
    const why = {
      quit: `${QUIT_KEY} pressed`,
      'qemu-exited': 'the guest stopped',
      interrupted: 'interrupted',
      'ssh-ended': 'the SSH session ended',
      'no-ssh': 'no SSH login',
    }[result.ended];
    out.err(`\nbootstrap run: ${why}; QEMU stopped, temp dir removed (exit ${result.exitCode})`);
    return result.exitCode;
  } finally {
    if (raw) terminal.stdin.setRawMode?.(false);
    interrupts.dispose();
    await journaled.release();
    await journal.finish('success');
  }
}

function positiveInteger(
  flag: string,
  value: string | undefined,
  unit: string,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new CliExit(EXIT_USAGE, `${flag}: "${value}" is not a number of ${unit} (at least ${min})`);
  }
  return n;
}
