/**
 * A CommandRunner that runs nothing: it records every call and answers with the command's
 * `dryRunResult`, a scripted result, or an empty success. It backs --dry-run and the unit tests.
 * A scripted non-OK exit code still throws CommandError, so failure paths can be tested too.
 */
import { CommandError, type CommandResult, type CommandRunner, type RunOptions } from '../api/runner.js';
import { chrootArgv } from './env.js';

export interface RecordedCommand {
  readonly argv: readonly string[];
  readonly options: RunOptions;
  /** Set for `chroot()` calls: the root the command would run in (argv is the inner command). */
  readonly chrootRoot?: string;
}

export interface RecordingRunner extends CommandRunner {
  readonly calls: RecordedCommand[];
  /** Each call as one line; chroot calls prefixed with `[chroot ROOT] `. For assertions. */
  lines(): string[];
}

export interface RecordingRunnerOptions {
  /** Scripted answers by argv (for chroot calls, the inner argv); undefined falls through. */
  readonly results?: (argv: readonly string[]) => Partial<CommandResult> | undefined;
  /** Reported as `dryRun` (default true: this runner never runs anything). */
  readonly dryRun?: boolean;
}

export function createRecordingRunner(opts: RecordingRunnerOptions = {}): RecordingRunner {
  const calls: RecordedCommand[] = [];

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

  return {
    calls,
    dryRun: opts.dryRun ?? true,
    async run(argv, options = {}) {
      calls.push({ argv: [...argv], options });
      return answer(argv, options, argv);
    },
    async chroot(root, argv, options = {}) {
      calls.push({ argv: [...argv], options, chrootRoot: root });
      return answer(argv, options, chrootArgv(root, argv, options.env));
    },
    lines: () =>
      calls.map((c) => (c.chrootRoot !== undefined ? `[chroot ${c.chrootRoot}] ` : '') + c.argv.join(' ')),
  };
}

function lines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}
