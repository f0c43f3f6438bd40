/**
 * The build log: always at DEBUG, one file per run named `<YYYYmmddHHMMSS>_<manifest>.log`, lines
 * formatted like bootstrap-vz's `[+12.345s] LEVEL: msg` (time since the log was opened). Writes are
 * synchronous so the log is complete even when the process dies right after a line was written.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLevel } from '../api/events.js';
import { maskSecrets } from './secrets.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Path of the log file, when there is one. */
  readonly file?: string;
  /** Flushes and closes the file; further messages are dropped. */
  close?(): void;
}

export interface FileLogger extends Logger {
  readonly file: string;
  close(): void;
}

export function logAt(logger: Logger, level: LogLevel, message: string): void {
  logger[level](message);
}

/** `20240131235959` in local time, as bootstrap-vz names its log files. */
export function logTimestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}` +
    `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`
  );
}

/** Keeps a manifest name usable as a file name (names may contain `/` or spaces after expansion). */
export function safeFileName(name: string): string {
  return name.replace(/[^\w.+-]+/g, '_').replace(/^\.+/, '_') || 'build';
}

export function formatLogLine(elapsedMs: number, level: LogLevel, message: string): string {
  const prefix = `[+${(elapsedMs / 1000).toFixed(3)}s] ${level.toUpperCase()}: `;
  // Every line of a multi-line message gets the prefix, so grep on the log finds its context.
  return (
    maskSecrets(message)
      .split('\n')
      .map((line) => prefix + line)
      .join('\n') + '\n'
  );
}

export function createFileLogger(
  dir: string,
  manifestName: string,
  opts: { now?: () => Date; clock?: () => number } = {},
): FileLogger {
  const clock = opts.clock ?? (() => performance.now());
  const start = clock();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${logTimestamp(opts.now?.() ?? new Date())}_${safeFileName(manifestName)}.log`);
  let fd: number | undefined = openSync(file, 'a', 0o640);
  const write = (level: LogLevel) => (message: string) => {
    if (fd === undefined) return;
    writeSync(fd, formatLogLine(clock() - start, level, message));
  };
  return {
    file,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** A logger that drops everything (`--log -`, tests). */
export function createNullLogger(): Logger {
  const drop = () => {};
  return { debug: drop, info: drop, warn: drop, error: drop };
}

/** A logger that keeps masked lines in memory, for tests. */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (level: LogLevel) => (message: string) => {
    lines.push(`${level.toUpperCase()}: ${maskSecrets(message)}`);
  };
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}
