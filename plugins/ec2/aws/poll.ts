/** Polling for EC2 states that have no waiter, or whose waiters ignore the build's abort signal. */
import { BuildError, sleep } from '../../../src/api/index.js';

export interface PollOptions {
  readonly signal: AbortSignal;
  /** What is awaited, for messages: "snapshot snap-1 to complete". */
  readonly what: string;
  readonly timeoutMs: number;
  /** First delay; doubles up to maxDelayMs. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/**
 * Calls `check` until it returns a value (done) or throws (failed); undefined means "not yet". The
 * first check runs at once: the state is often already reached (moto, small snapshots).
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, opts: PollOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = opts.initialDelayMs ?? 2000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() + delay > deadline) {
      throw new BuildError(`timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${opts.what}`);
    }
    await sleep(delay, opts.signal);
    delay = Math.min(delay * 2, opts.maxDelayMs ?? 15_000);
  }
}
