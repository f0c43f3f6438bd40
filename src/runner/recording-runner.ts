/**
 * The one CommandRunner that runs nothing: it records every call and answers with a scripted result,
 * the command's `dryRunResult`, or an empty success. It backs --dry-run (the report's command list),
 * the preflight's dry preparation and the unit tests (test/helpers/fake-context.ts wraps it).
 * A scripted non-OK exit code still throws CommandError, so failure paths can be tested too.
 * Bound to a task (the engine binds each task's runner), it tags the calls with the task's id.
 */
import { CommandError, type CommandResult, type CommandRunner, type RunOptions } from '../api/runner.js';
import type { BindableRunner, RunnerBinding } from './bound-runner.js';
import { chrootArgv } from './env.js';

export interface RecordedCommand {
  readonly argv: readonly string[];
  readonly options: RunOptions;
  /** Set for `chroot()` calls: the root the command would run in (argv is the inner command). */
  readonly chrootRoot?: string;
  /** The task whose runner made the call (absent for calls on the unbound runner). */
  readonly taskId?: string;
}

export interface RecordingRunner extends BindableRunner {
  readonly calls: RecordedCommand[];
  /**
   * Each call as one line; chroot calls prefixed with `[chroot ROOT] `, or `[chroot] ` with
   * `{ roots: false }` (for tests whose roots are temp dirs). For assertions and golden files.
   */
  lines(opts?: { roots?: boolean }): string[];
}

export interface RecordingRunnerOptions {
  /** Scripted answers by argv (for chroot calls, the inner argv); undefined falls through. */
  readonly results?: (argv: readonly string[]) => Partial<CommandResult> | undefined;
  /** Reported as `dryRun` (default true: this runner never runs anything). */
  readonly dryRun?: boolean;
}

export function createRecordingRunner(opts: RecordingRunnerOptions = {}): RecordingRunner {
  const calls: RecordedCommand[] = [];
  const dryRun = opts.dryRun ?? true;

  async function answer(argv: readonly string[], options: RunOptions, shownArgv: readonly string[]) {
    const scripted = opts.results?.(argv) ?? options.dryRunResult ?? {};
    const result: CommandResult = { argv, exitCode: 0, stdout: '', stderr: '', durationMs: 0, ...scripted };
    if (options.onLine) {
      for (const line of lines(result.stdout)) options.onLine(line, 'stdout');
      for (const line of lines(result.stderr)) options.onLine(line, 'stderr');
    }
    if (!(options.okExitCodes ?? [0]).includes(result.exitCode)) {
      const tail = lines(result.stderr).slice(-20).join('\n');
      throw new CommandError(shownArgv, result.exitCode, tail, 'non-zero exit code');
    }
    return result;
  }

  function recorder(taskId: string | undefined): CommandRunner {
    const tag = taskId !== undefined ? { taskId } : {};
    return {
      dryRun,
      async run(argv, options = {}) {
        calls.push({ argv: [...argv], options, ...tag });
        return answer(argv, options, argv);
      },
      async chroot(root, argv, options = {}) {
        calls.push({ argv: [...argv], options, chrootRoot: root, ...tag });
        return answer(argv, options, chrootArgv(root, argv, options.env));
      },
    };
  }

  return {
    ...recorder(undefined),
    calls,
    bind: (binding: RunnerBinding) => recorder(binding.taskId),
    lines: ({ roots = true } = {}) =>
      calls.map(
        (c) =>
          (c.chrootRoot !== undefined ? (roots ? `[chroot ${c.chrootRoot}] ` : '[chroot] ') : '') +
          c.argv.join(' '),
      ),
  };
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}
