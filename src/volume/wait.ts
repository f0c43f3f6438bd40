/**
 * Bounded polling and retrying for host state that settles asynchronously (partition nodes without
 * udev, a loop device or mount still busy for a moment after its last user exits).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Stops the wait early (throws the signal's reason). Undo paths pass none: they must finish. */
  readonly signal?: AbortSignal;
}

/** Calls `check` until it returns true or the time is up; returns whether it became true. */
export async function pollUntil(check: () => Promise<boolean>, opts: PollOptions): Promise<boolean> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(opts.intervalMs, undefined, opts.signal ? { signal: opts.signal } : {});
  }
}

export interface RetryOptions {
  /** Delays between attempts; the number of attempts is its length + 1. */
  readonly delaysMs: readonly number[];
  readonly shouldRetry: (err: unknown) => boolean;
  /** Called before each retry, e.g. to log a warning. */
  readonly onRetry?: (err: unknown, attempt: number) => void;
}

export async function retry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const delay = opts.delaysMs[attempt];
      if (delay === undefined || !opts.shouldRetry(err)) throw err;
      opts.onRetry?.(err, attempt + 1);
      await sleep(delay);
    }
  }
}

/** True for a failed command whose message says the device or mount point is busy. */
export function isBusyError(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  return /busy|EBUSY/i.test(text);
}
