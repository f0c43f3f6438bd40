/** Where the CLI writes: stdout for results, stderr for messages; color decided once. */
export type ColorMode = 'auto' | 'always' | 'never';

export interface Output {
  readonly color: boolean;
  out(text: string): void;
  err(text: string): void;
}

export function resolveColor(mode: ColorMode, stream: NodeJS.WriteStream): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return Boolean(stream.isTTY) && !process.env.NO_COLOR;
}

export function processOutput(mode: ColorMode): Output {
  return {
    color: resolveColor(mode, process.stderr),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  };
}
