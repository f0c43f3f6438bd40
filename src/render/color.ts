/** A tiny ANSI color helper (no dependency): `--color auto|always|never`. */
export type ColorMode = 'auto' | 'always' | 'never';

/** auto = the stream is a terminal and NO_COLOR is not set (https://no-color.org). */
export function shouldColor(
  mode: ColorMode | boolean,
  stream: { readonly isTTY?: boolean },
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (typeof mode === 'boolean') return mode;
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return Boolean(stream.isTTY) && !env['NO_COLOR'];
}

export interface Colors {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

export function createColors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}
