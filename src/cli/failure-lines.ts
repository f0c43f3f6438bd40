/**
 * What `bootstrap build` prints on stderr when a build did not succeed, and its exit code. A build
 * failure gets one line with its code and, when the task gave one, its hint; an unexpected exception
 * inside a task is reported as a bug, with the task id, a pointer to --debug and exit 3, so it is
 * not mistaken for a problem with the manifest or the host.
 */
import type { BuildResult } from '../engine/build-result.js';
import { describeFailure } from '../engine/failure.js';
import { EXIT_BUILD_FAILED, EXIT_INTERNAL } from './exit-codes.js';

export interface FailureReport {
  readonly lines: string[];
  readonly exitCode: number;
}

export interface FailureContext {
  /** The manifest's name, which starts each line. */
  readonly name: string;
  /** --debug was given: the stack trace is already on the terminal, in the debug lines. */
  readonly debug: boolean;
  readonly logFile?: string;
}

export function failureReport(result: BuildResult, ctx: FailureContext): FailureReport {
  const failure = describeFailure(result.error ?? result.status, result.status === 'interrupted');
  const where = result.failedTask ? ` in ${result.failedTask}` : '';
  const lines: string[] = [];
  if (failure.bug) {
    lines.push(
      `${ctx.name}: internal error${result.failedTask ? ` in task ${result.failedTask}` : ''}: ${failure.summary} [${failure.code}]`,
      'this is a bug in bootstrap, not a problem with the manifest or this host; the build was rolled back',
      ctx.debug
        ? 'the stack trace is above; please report it with the manifest'
        : `rerun with --debug for the stack trace${ctx.logFile ? ` (it is also in ${ctx.logFile})` : ''}, and report it`,
    );
  } else {
    // The failed task's full message (command, stderr tail) was shown when it failed: one line here.
    lines.push(`${ctx.name}: build ${result.status}${where}: ${failure.summary} [${failure.code}]`);
    if (failure.hint) lines.push(`hint: ${failure.hint}`);
  }
  if (result.rollback && !result.rollback.ok) {
    const left = [...result.rollback.failed.map((f) => f.id), ...result.rollback.leftUndone];
    lines.push(`rollback incomplete: ${left.join(', ')}`);
  }
  if (ctx.logFile && !(failure.bug && !ctx.debug)) lines.push(`log: ${ctx.logFile}`);
  return { lines, exitCode: failure.bug ? EXIT_INTERNAL : EXIT_BUILD_FAILED };
}
