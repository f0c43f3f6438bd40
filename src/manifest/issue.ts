/**
 * A manifest problem, positioned in the file that caused it: every loader stage returns these
 * instead of throwing, so the user sees all of them at once (changesets-style).
 */
export interface ManifestIssue {
  /** Absolute path of the file, or `(--set)` for a command-line override. */
  readonly file: string;
  /** 1-based line and column. */
  readonly line: number;
  readonly col: number;
  /** JSON pointer of the offending value (`/system/release`), `` for the whole document. */
  readonly pointer: string;
  readonly message: string;
  readonly hint?: string;
  /** The text of the offending source line, for a code frame (absent when unknown). */
  readonly sourceLine?: string;
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Builds an issue, leaving optional fields out rather than undefined (exactOptionalPropertyTypes). */
export function issue(
  file: string,
  pos: Position,
  pointer: string,
  message: string,
  hint?: string,
  sourceLine?: string,
): ManifestIssue {
  return {
    file,
    line: pos.line,
    col: pos.col,
    pointer,
    message,
    ...(hint !== undefined ? { hint } : {}),
    ...(sourceLine !== undefined ? { sourceLine } : {}),
  };
}
