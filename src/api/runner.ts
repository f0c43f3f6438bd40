/**
 * Every host command goes through a CommandRunner: argv arrays only, never a shell string built from
 * manifest values. The real runner logs each command line and its output; the recording runner backs
 * --dry-run and unit tests.
 */
export interface RunOptions {
  /** Working directory on the host. */
  readonly cwd?: string;
  /** Extra environment variables (merged over a minimal, sanitized host environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** Data written to the command's standard input. */
  readonly input?: string | Uint8Array;
  /** Exit codes that count as success (default [0]). */
  readonly okExitCodes?: readonly number[];
  /** Kill the command after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Values that must never appear in logs (credentials); replaced by '***'. */
  readonly secrets?: readonly string[];
  /** Called with each line of output as it arrives, e.g. for progress parsing. */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * What a dry run returns for this command instead of running it. Lets tasks that parse a
   * command's output (blkid, losetup --show) keep going in --dry-run.
   */
  readonly dryRunResult?: Partial<CommandResult>;
}

export interface CommandResult {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface CommandRunner {
  /** Runs argv[0] with the rest as arguments. Rejects with CommandError on a non-OK exit code. */
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Runs a command inside a chroot: `chroot ROOT argv...` with a clean environment. */
  chroot(root: string, argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** True when commands are only recorded (dry run). */
  readonly dryRun: boolean;
}

/** A host command failed: carries the exact command line, exit code and the tail of stderr. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderrTail: string,
    readonly reason: string,
  ) {
    super(
      `command failed (${reason}): ${formatArgv(argv)}` +
        (exitCode === undefined ? '' : ` [exit ${exitCode}]`) +
        (stderrTail ? `\n${stderrTail}` : ''),
    );
  }
}

/** Renders argv as a copy-pasteable shell line (for messages and logs only, never executed). */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
