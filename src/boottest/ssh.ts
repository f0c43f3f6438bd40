/**
 * SSH into the guest with this run's key, through QEMU's hostfwd on 127.0.0.1. Host keys are not
 * checked (the guest makes new ones every boot) and nothing is written to known_hosts.
 */
import { join } from 'node:path';
import type { CommandResult, CommandRunner } from '../api/index.js';

export interface SshKey {
  readonly privateKey: string;
  readonly publicKey: string;
}

export async function generateKey(runner: CommandRunner, dir: string): Promise<SshKey> {
  const privateKey = join(dir, 'id_ed25519');
  await runner.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'boot-test', '-f', privateKey]);
  return { privateKey, publicKey: `${privateKey}.pub` };
}

export interface SshTarget {
  readonly user: string;
  readonly port: number;
  readonly key: string;
}

export function sshArgv(t: SshTarget, command: string, connectTimeout = 10): string[] {
  return [
    ...loginArgv(t, ['BatchMode=yes', `ConnectTimeout=${connectTimeout}`]),
    // The remote command is a fixed string of this module's own probes, never manifest input.
    command,
  ];
}

/**
 * The ssh command a person types (`bootstrap run`): the same key, port and host-key options, a
 * terminal and prompts allowed; `command` (words, joined by the remote shell) runs instead of a shell.
 */
export function interactiveSshArgv(t: SshTarget, command: readonly string[] = []): string[] {
  return [...loginArgv(t, []), ...command];
}

function loginArgv(t: SshTarget, options: readonly string[]): string[] {
  return [
    'ssh',
    '-i',
    t.key,
    '-p',
    String(t.port),
    ...[
      'StrictHostKeyChecking=no',
      'UserKnownHostsFile=/dev/null',
      ...options,
      'IdentitiesOnly=yes',
      'LogLevel=ERROR',
    ].flatMap((o) => ['-o', o]),
    `${t.user}@127.0.0.1`,
  ];
}

/** Runs `command` in the guest; resolves with its result whatever the exit code. */
export function sshRun(
  runner: CommandRunner,
  t: SshTarget,
  command: string,
  timeoutMs = 30_000,
): Promise<CommandResult> {
  return runner.run(sshArgv(t, command), { okExitCodes: range(0, 255), timeoutMs });
}

/**
 * Retries `true` over SSH until it works or `deadline` passes. Exit 255 is ssh's own failure
 * (refused, no key yet, still booting); anything else means the login worked.
 */
export async function waitForSsh(
  runner: CommandRunner,
  t: SshTarget,
  deadline: number,
  signal?: AbortSignal,
  /** Asked after each failed attempt with every error so far: a reason to stop waiting, or undefined. */
  giveUp?: (errors: readonly string[]) => string | undefined,
): Promise<{ ok: boolean; attempts: number; lastError: string; gaveUp?: string }> {
  let attempts = 0;
  let lastError = '';
  const errors: string[] = [];
  while (Date.now() < deadline && !signal?.aborted) {
    attempts += 1;
    try {
      const r = await sshRun(runner, t, 'true', 20_000);
      if (r.exitCode === 0) return { ok: true, attempts, lastError };
      lastError = r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`;
    } catch (error) {
      lastError = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    }
    errors.push(lastError);
    const reason = giveUp?.(errors);
    if (reason !== undefined) return { ok: false, attempts, lastError, gaveUp: reason };
    await sleep(Math.min(3000, Math.max(0, deadline - Date.now())), signal);
  }
  return { ok: false, attempts, lastError };
}

/** ssh's errors that mean sshd answered (and refused the key), as opposed to nothing listening yet. */
export function sshdAnswered(error: string): boolean {
  return /Permission denied|Too many authentication failures|Authentication failed|no more authentication methods/i.test(
    error,
  );
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolveSleep();
    }
  });
}
