/** The CLI's exit codes; only src/cli may end the process. */
export const EXIT_OK = 0;
/** The build failed and was rolled back (or the boot test failed). */
export const EXIT_BUILD_FAILED = 1;
/** Usage or manifest errors, found before any work started. */
export const EXIT_USAGE = 2;
/** An unexpected exception (TypeError...): a bug in bootstrap; a build was rolled back. */
export const EXIT_INTERNAL = 3;

/**
 * Stable codes of the refusals before any work (exit 2), printed after the first line of the message
 * like a build failure's (src/engine/failure.ts); docs/errors.md lists both.
 */
export const REFUSAL_CODES = {
  ERR_USAGE: 'a command-line option or argument is wrong',
  ERR_MANIFEST: 'the manifest has errors, each printed at its file, line and column',
  ERR_PLAN: 'the tasks the manifest selects cannot be ordered (a cycle, an edge to an unknown task)',
  ERR_UNAVAILABLE: 'the manifest needs a step this version cannot run yet',
  ERR_NOT_ROOT: 'a real build must run as root',
  ERR_HOST_COMMANDS: 'host commands the plan needs are missing (bootstrap doctor --fix installs them)',
  ERR_FOREIGN_ARCH: 'this host cannot run the programs of the image architecture (qemu-user, binfmt_misc)',
} as const;

export type RefusalCode = keyof typeof REFUSAL_CODES;

/** Thrown inside command handlers to stop with a code after printing `message` (no stack trace). */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
    /** Printed as `[CODE]` after the message's first line; usage errors default to ERR_USAGE. */
    readonly errorCode: RefusalCode | undefined = code === EXIT_USAGE ? 'ERR_USAGE' : undefined,
  ) {
    super(message);
  }
}

/** The message with its code after the first line: `x.yml: 2 errors; nothing was built [ERR_MANIFEST]`. */
export function withErrorCode(exit: CliExit): string {
  if (!exit.errorCode || !exit.message) return exit.message;
  const end = exit.message.indexOf('\n');
  const tag = ` [${exit.errorCode}]`;
  return end === -1 ? exit.message + tag : exit.message.slice(0, end) + tag + exit.message.slice(end);
}
