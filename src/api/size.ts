/**
 * bootstrap-vz's size syntax (`^\d+([KMGT]i?B|B)$`): `8GiB`, `512MiB`, `100B`. Like bootstrap-vz's
 * Bytes class, `KB`/`MB`/`GB`/`TB` are read as the binary units (KiB, MiB...): that is what its users'
 * manifests meant, and changing it would resize their images.
 */
export const SIZE_PATTERN = '^\\d+([KMGT]i?B|B)$';

const FACTORS: Readonly<Record<string, bigint>> = {
  B: 1n,
  K: 1024n,
  M: 1024n ** 2n,
  G: 1024n ** 3n,
  T: 1024n ** 4n,
};

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const GiB = 1024 * 1024 * 1024;

/** Parses a size string to bytes; throws RangeError with the offending text when it is malformed. */
export function parseSize(text: string): number {
  const match = /^(\d+)([KMGT])?(i?B)$/.exec(text);
  if (!match || (match[2] === undefined && match[3] !== 'B')) {
    throw new RangeError(`invalid size "${text}": expected a number and a unit such as 512MiB or 8GiB`);
  }
  const bytes = BigInt(match[1] ?? '0') * (FACTORS[match[2] ?? 'B'] ?? 1n);
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`size "${text}" is too large`);
  return Number(bytes);
}

/** The binary units, largest first. */
const UNITS = [
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
] as const;

/** Formats bytes with the largest binary unit that divides them exactly (for messages and plans). */
export function formatSize(bytes: number): string {
  const exact = UNITS.find(([, factor]) => bytes >= factor && bytes % factor === 0);
  return exact ? `${bytes / exact[1]}${exact[0]}` : `${bytes}B`;
}

/**
 * Byte counts for people (log lines, messages), rounded: `123 B`, `4.5 KiB`, `56.7 MiB`, `1 GiB`;
 * whole units without decimals. formatSize above is exact, for sizes a manifest could say.
 */
export function formatBytes(bytes: number): string {
  const unit = UNITS.find(([, factor]) => Math.abs(bytes) >= factor);
  if (!unit) return `${bytes} B`;
  const value = bytes / unit[1];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit[0]}`;
}
