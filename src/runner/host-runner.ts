/**
 * The real CommandRunner: execa 9 with argv arrays only (`shell: false`), a sanitized environment,
 * every command line and each line of its output written to the log at DEBUG (secrets masked), and
 * failures turned into CommandError with the command line, exit code and the tail of stderr.
 * Cancelling (Ctrl-C) sends the child SIGTERM, then SIGKILL after a grace period.
 */
import { execa } from 'execa';
import type { EventSink } from '../api/events.js';
import { CommandError, formatArgv, type CommandResult, type RunOptions } from '../api/runner.js';
import type { Logger } from '../log/logger.js';
import { maskSecrets, registerSecret } from '../log/secrets.js';
import type { BindableRunner, RunnerBinding } from './bound-runner.js';
import { chrootArgv, sanitizedEnv } from './env.js';
import { createLineTail } from './line-tail.js';

export interface HostRunnerOptions {
  readonly log: Logger;
  /** Cancels running commands when it aborts (the build signal). Tasks get runners bound to theirs. */
  readonly signal: AbortSignal;
  /** The task running now, to tag log lines (used when the runner is not bound to a task). */
  readonly taskId?: () => string | undefined;
  /** Receives a `command` event per command, when given. */
  readonly events?: EventSink;
  /** Time between SIGTERM and SIGKILL on cancel or timeout (default 5000 ms). */
  readonly killGraceMs?: number;
  /** The environment the sanitized one is taken from (default process.env). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /**
   * Told each child's pid once it started and again once it exited: the build journals them so
   * `bootstrap cleanup` can stop the children a SIGKILLed build left running. Errors are ignored.
   */
  readonly children?: {
    started(pid: number): Promise<void> | void;
    exited(pid: number): Promise<void> | void;
  };
}

/** How many stderr lines a CommandError carries. */
const TAIL_LINES = 20;

export function createHostRunner(opts: HostRunnerOptions): BindableRunner {
  return makeRunner(opts, undefined);
}

function makeRunner(opts: HostRunnerOptions, binding: RunnerBinding | undefined): BindableRunner {
  const run = (argv: readonly string[], options: RunOptions = {}) => execute(opts, binding, argv, options);
  return {
    dryRun: false,
    run,
    chroot: (root, argv, options = {}) => {
      const { env, ...rest } = options;
      return run(chrootArgv(root, argv, env), rest);
    },
    bind: (b) => makeRunner(opts, b),
  };
}

async function execute(
  opts: HostRunnerOptions,
  binding: RunnerBinding | undefined,
  argv: readonly string[],
  options: RunOptions,
): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('cannot run an empty command line');
  for (const secret of options.secrets ?? []) registerSecret(secret);
  const signal = binding?.signal ?? opts.signal;
  const task = binding?.taskId ?? opts.taskId?.();
  const tag = task ? `[${task}] ` : '';
  const { log } = opts;
  const shown = maskSecrets(formatArgv(argv));
  const okCodes = options.okExitCodes ?? [0];

  log.debug(`${tag}$ ${shown}`);
  opts.events?.emit({ type: 'command', argv: argv.map(maskSecrets), ...(task ? { task } : {}) });
  if (signal.aborted) throw commandError(argv, undefined, '', 'canceled before it started');

  const stderrTail = createLineTail(TAIL_LINES);
  const stdoutTail = createLineTail(TAIL_LINES);
  let callbackError: unknown;
  // A generator transform sees each line as it arrives: log it, keep the tail, feed onLine.
  const lines = (stream: 'stdout' | 'stderr') =>
    function* (chunk: unknown) {
      const line = String(chunk);
      log.debug(`${tag}${stream === 'stderr' ? '2> ' : '1> '}${line}`);
      (stream === 'stderr' ? stderrTail : stdoutTail).push(line);
      if (options.onLine && callbackError === undefined) {
        try {
          options.onLine(line, stream);
        } catch (error) {
          callbackError = error;
        }
      }
      yield line;
    };

  const subprocess = execa(file, args, {
    shell: false,
    reject: false,
    cancelSignal: signal,
    forceKillAfterDelay: opts.killGraceMs ?? 5000,
    extendEnv: false,
    env: sanitizedEnv(opts.baseEnv ?? process.env, options.env),
    stripFinalNewline: true,
    stdout: lines('stdout'),
    stderr: lines('stderr'),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
  });
  const pid = subprocess.pid;
  if (pid !== undefined) await (async () => opts.children?.started(pid))().catch(() => {});
  const result = await subprocess;
  if (pid !== undefined) await (async () => opts.children?.exited(pid))().catch(() => {});

  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  const exitCode = result.exitCode;
  const seconds = (result.durationMs / 1000).toFixed(2);
  const ok = exitCode !== undefined && okCodes.includes(exitCode) && !result.timedOut && !result.isCanceled;
  if (ok && callbackError === undefined) {
    log.debug(`${tag}exit ${exitCode} after ${seconds}s`);
    return { argv, exitCode, stdout, stderr, durationMs: result.durationMs };
  }
  if (callbackError !== undefined) throw callbackError;

  const reason = failureReason(result, okCodes, options.timeoutMs);
  log.debug(`${tag}failed (${reason}) after ${seconds}s`);
  // Some tools report errors on stdout; fall back to its tail when stderr is empty.
  const tail = stderrTail.text() || stdoutTail.text();
  throw commandError(argv, exitCode, tail, reason);
}

function commandError(argv: readonly string[], exitCode: number | undefined, tail: string, reason: string) {
  return new CommandError(argv.map(maskSecrets), exitCode, maskSecrets(tail), reason);
}

function failureReason(
  result: {
    timedOut: boolean;
    isCanceled: boolean;
    signal?: string | undefined;
    exitCode?: number | undefined;
    cause?: unknown;
  },
  okCodes: readonly number[],
  timeoutMs: number | undefined,
): string {
  if (result.timedOut) return `timed out after ${timeoutMs ?? '?'} ms`;
  if (result.isCanceled) return 'canceled';
  if (result.signal) return `killed by ${result.signal}`;
  if (result.exitCode !== undefined) {
    return okCodes.length === 1 && okCodes[0] === 0
      ? 'non-zero exit code'
      : `exit code not in [${okCodes.join(', ')}]`;
  }
  const cause = result.cause as { code?: string; message?: string } | undefined;
  if (cause?.code === 'ENOENT') return 'command not found';
  return cause?.message ?? 'could not be started';
}
