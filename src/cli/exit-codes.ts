/** The CLI's exit codes; only src/cli may end the process. */
export const EXIT_OK = 0;
/** The build failed and was rolled back (or the boot test failed). */
export const EXIT_BUILD_FAILED = 1;
/** Usage or manifest errors, found before any work started. */
export const EXIT_USAGE = 2;
/** An unexpected exception (TypeError...): a bug in bootstrap; a build was rolled back. */
export const EXIT_INTERNAL = 3;

/** Thrown inside command handlers to stop with a code after printing `message` (no stack trace). */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = '',
  ) {
    super(message);
  }
}
