/**
 * Watches a guest's serial console: keeps everything it printed (in memory and in a log file kept for
 * failed runs) and waits for a pattern, such as a login prompt, giving up early when the console shows
 * that the boot failed (emergency mode, an initramfs shell, a kernel panic).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

// Kernel messages may follow on the same line, so nothing is required after the colon.
export const LOGIN_PROMPT = /^[\w.-]+ login: /m;

/** Console output after which waiting for a login prompt is pointless. */
export const BOOT_FAILED: readonly RegExp[] = [
  /Kernel panic - not syncing/,
  /You are in emergency mode/,
  /Give root password for maintenance/,
  /Cannot open access to console, the root account is locked/,
  /ALERT! .* does not exist/,
  /Dropping to a shell!/,
  /No bootable device/,
  /Boot failed: not a bootable disk/,
  // Secure Boot refusing a loader: OVMF's boot manager, and shim refusing grub or grub the kernel.
  /BdsDxe: failed to load Boot\w+ .*: Access Denied/,
  /Verification failed: \(0x1A\) Security Violation/,
  /error: (?:bad shim signature|shim_lock protocol not found|.*verification requested but nobody cares)/,
  /BdsDxe: No bootable option or device was found/,
];

export type WaitResult =
  | { readonly kind: 'matched'; readonly seconds: number; readonly line: string }
  | { readonly kind: 'failed'; readonly seconds: number; readonly line: string }
  | { readonly kind: 'timeout'; readonly seconds: number }
  | { readonly kind: 'exited'; readonly seconds: number };

export interface ConsoleWatch {
  /** Everything the console printed so far, with carriage returns and escape sequences removed. */
  text(): string;
  /** Waits until `pattern` shows up, the boot fails, the process exits, or `deadline` (ms epoch) passes. */
  waitFor(pattern: RegExp, deadline: number, signal?: AbortSignal): Promise<WaitResult>;
  /** Called when the stream ends (QEMU exited). */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

export function cleanConsole(raw: string): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1bc/g, '').replace(/\r/g, '');
}

export function watchConsole(stream: Readable, logFile: string, startedAt: number): ConsoleWatch {
  const log: WriteStream = createWriteStream(logFile);
  let cleaned = '';
  const listeners = new Set<() => void>();
  let ended = false;
  const endedPromise = new Promise<void>((resolveEnd) => {
    stream.on('end', () => {
      ended = true;
      resolveEnd();
      for (const l of listeners) l();
    });
  });
  stream.on('data', (chunk: Buffer) => {
    log.write(chunk);
    // Cleaned per chunk: an escape sequence split across two chunks is rare and only costs a stray byte.
    cleaned += cleanConsole(chunk.toString('utf8'));
    for (const l of listeners) l();
  });
  const elapsed = () => (Date.now() - startedAt) / 1000;

  function check(pattern: RegExp): WaitResult | undefined {
    const hit = pattern.exec(cleaned);
    if (hit) return { kind: 'matched', seconds: elapsed(), line: hit[0] };
    for (const bad of BOOT_FAILED) {
      const m = bad.exec(cleaned);
      if (m) return { kind: 'failed', seconds: elapsed(), line: lineAround(cleaned, m.index) };
    }
    if (ended) return { kind: 'exited', seconds: elapsed() };
    return undefined;
  }

  return {
    text: () => cleaned,
    ended: endedPromise,
    waitFor: (pattern, deadline, signal) =>
      new Promise<WaitResult>((resolveWait) => {
        const finish = (r: WaitResult) => {
          listeners.delete(onChange);
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolveWait(r);
        };
        const onChange = () => {
          const r = check(pattern);
          if (r) finish(r);
        };
        const onAbort = () => finish({ kind: 'timeout', seconds: elapsed() });
        const timer = setTimeout(
          () => finish({ kind: 'timeout', seconds: elapsed() }),
          Math.max(0, deadline - Date.now()),
        );
        listeners.add(onChange);
        signal?.addEventListener('abort', onAbort, { once: true });
        onChange();
      }),
    close: () => new Promise<void>((resolveClose) => log.end(() => resolveClose())),
  };
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end === -1 ? undefined : end).trim();
}
