/**
 * What kind of failure ended a build, with a stable code (docs/errors.md): a build failure the user
 * can act on (a BuildError, a host command, a cloud call, a system call), an interruption, or an
 * unexpected exception inside a task (TypeError, a failed assertion...), which is a bug in bootstrap
 * and is reported as one, apart from build failures. The CLI and the JSON report share this.
 */
import { CommandError } from '../api/runner.js';
import { BuildError } from '../api/task.js';

/** The stable codes, each with what it means; docs/errors.md lists the same. */
export const FAILURE_CODES = {
  ERR_TASK_FAILED: 'a task failed for a reason it explains (a BuildError without a code of its own)',
  ERR_COMMAND_FAILED: 'a host command exited non-zero, was killed, or could not start',
  ERR_CLOUD: 'an AWS API call was refused or failed',
  ERR_SYSTEM: 'a system call failed (no space left, permission denied, no such file...)',
  ERR_INTERRUPTED: 'the build was interrupted (Ctrl-C, SIGTERM) and rolled back',
  ERR_INTERNAL: 'an unexpected exception inside bootstrap: a bug, not a problem with the manifest or host',
} as const;

export type FailureCode = keyof typeof FAILURE_CODES;

export interface Failure {
  /** A FailureCode, or a BuildError's own code. */
  readonly code: string;
  /** True for an unexpected exception: a bug in bootstrap, not a build failure. */
  readonly bug: boolean;
  /** The error's class and message, first line only (the whole message was logged when it failed). */
  readonly summary: string;
  readonly hint?: string;
}

/**
 * Errors JavaScript raises for mistakes in code, never on purpose for a user. The volume state
 * machine's IllegalTransitionError is one too; it is matched by name because src/engine does not
 * import src/volume (the layer table).
 */
const BUG_NAMES = new Set([
  'TypeError',
  'ReferenceError',
  'RangeError',
  'SyntaxError',
  'EvalError',
  'URIError',
  'AssertionError',
  'IllegalTransitionError',
]);

function isCloudError(error: Error): boolean {
  // AWS SDK v3 service and client errors carry $metadata (request id, HTTP status) or $fault.
  return '$metadata' in error || '$fault' in error;
}

function isSystemError(error: Error): boolean {
  // Node's system errors: `code` like ENOSPC and the failed `syscall`.
  return typeof (error as { syscall?: unknown }).syscall === 'string';
}

export function describeFailure(error: unknown, interrupted = false): Failure {
  const first = (text: string) => text.split('\n')[0] ?? '';
  if (!(error instanceof Error)) {
    return {
      code: interrupted ? 'ERR_INTERRUPTED' : 'ERR_TASK_FAILED',
      bug: false,
      summary: first(String(error)),
    };
  }
  if (error instanceof BuildError) {
    return {
      code: error.code ?? (interrupted ? 'ERR_INTERRUPTED' : 'ERR_TASK_FAILED'),
      bug: false,
      summary: first(error.message),
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  const summary = first(error.message);
  if (interrupted) return { code: 'ERR_INTERRUPTED', bug: false, summary };
  if (BUG_NAMES.has(error.name))
    return { code: 'ERR_INTERNAL', bug: true, summary: `${error.name}: ${summary}` };
  if (error instanceof CommandError) return { code: 'ERR_COMMAND_FAILED', bug: false, summary };
  if (isCloudError(error)) return { code: 'ERR_CLOUD', bug: false, summary: `${error.name}: ${summary}` };
  if (isSystemError(error)) return { code: 'ERR_SYSTEM', bug: false, summary };
  return { code: 'ERR_TASK_FAILED', bug: false, summary };
}
