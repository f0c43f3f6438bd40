/**
 * Runs the `bootstrap` CLI in this process. A spawned `node --import tsx src/cli/main.ts` costs
 * seconds of start-up on these machines, and four suites spawned it dozens of times (issue 17, item 7);
 * tests that check a real process (exit status of the program, signals) still spawn it.
 *
 * What the CLI prints through its `CliIo` is collected. The build's progress renderer writes to
 * process.stderr itself, so process.stderr.write is diverted while the command runs; process.stdout is
 * left alone, because the test runner reports through it. `env` is set for the run and restored after.
 */
import { runCli as run, type CliIo } from '../../src/cli/main.js';

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  args: readonly string[],
  opts: { env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const line = (text: string): string => (text.endsWith('\n') ? text : text + '\n');
  const io: CliIo = {
    output: (mode) => ({
      color: mode === 'always',
      out: (text) => void (stdout += line(text)),
      err: (text) => void (stderr += line(text)),
    }),
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  };
  const saved = Object.entries(opts.env ?? {}).map(([key]) => [key, process.env[key]] as const);
  for (const [key, value] of Object.entries(opts.env ?? {})) setEnv(key, value);
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write;
  try {
    const status = await run(args, io);
    return { status, stdout, stderr };
  } finally {
    process.stderr.write = write;
    for (const [key, value] of saved) setEnv(key, value);
  }
}

function setEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
