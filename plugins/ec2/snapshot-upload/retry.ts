/**
 * Retries for EBS direct API calls. The SDK client's own retries should be off (maxAttempts 1) so
 * the two do not nest: this layer owns attempts, per-attempt timeouts and backoff, because it knows
 * the EBS-specific cases the SDK does not (the "snapshot does not exist" race after StartSnapshot).
 */
import { sleep } from '../../../src/api/index.js';

/** `retry`: transient; `race`: the snapshot is not visible yet; `fatal`: retrying cannot help. */
export type RetryKind = 'retry' | 'race' | 'fatal';

const RETRYABLE_CODES = new Set([
  'ThrottlingException',
  'RequestThrottledException',
  'ConcurrentLimitExceededException',
  'TooManyRequestsException',
  'Throttling',
  'RequestLimitExceeded',
  'SlowDown',
  'InternalServerException',
  'InternalServerError',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

/** Transport errors: the request may or may not have reached the service. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function classifyError(err: unknown): RetryKind {
  if (typeof err !== 'object' || err === null) return 'fatal';
  const e = err as AwsLikeError;
  const status = e.$metadata?.httpStatusCode;
  // coldsnap issue #43: puts right after StartSnapshot can fail with "The snapshot ... does not
  // exist" (a ResourceNotFound or Validation error); the EBS team's advice is to wait and retry.
  if (/snapshot\b.*\bdoes not exist/i.test(e.message ?? '') || e.name === 'ResourceNotFoundException')
    return 'race';
  if (e.name && RETRYABLE_CODES.has(e.name)) return 'retry';
  if (e.$retryable) return 'retry';
  if (status !== undefined && (status === 429 || status >= 500)) return 'retry';
  if (status !== undefined) return 'fatal'; // AccessDenied, Validation, Conflict...: the same request fails again
  if ((e.code && NETWORK_CODES.has(e.code)) || /socket hang up/i.test(e.message ?? '')) return 'retry';
  return 'fatal';
}

/** Exponential backoff with full jitter (AWS architecture blog): uniform in [0, min(cap, base*2^n)). */
export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = 250,
  capMs = 20_000,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

export interface RetryOptions {
  /** For messages: the operation and block. */
  what: string;
  /** The caller's signal: aborts the current attempt and the wait between attempts at once. */
  signal?: AbortSignal | undefined;
  /** Each attempt gets its own signal that fires after this long (a hung connection). */
  attemptTimeoutMs: number;
  maxAttempts: number;
  /** Stop retrying transient errors after this long since the first attempt. */
  budgetMs: number;
  /** Until when (epoch ms) the "snapshot does not exist" race is retried. */
  raceUntil: number;
  log?: (level: 'debug' | 'info' | 'warn', message: string) => void;
  /** Called before each retry (for counting). */
  onRetry?: (kind: RetryKind, err: unknown) => void;
  random?: () => number;
}

export class AttemptTimeoutError extends Error {
  override name = 'TimeoutError';
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${Math.round(ms / 1000)} s`);
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The operation was aborted', 'AbortError');
}

export async function withRetries<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  o: RetryOptions,
): Promise<T> {
  const started = Date.now();
  for (let n = 0; ; n++) {
    if (o.signal?.aborted) throw abortError(o.signal);
    // A ref'd timer, unlike AbortSignal.timeout's: a hung attempt must keep the process alive to retry.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), o.attemptTimeoutMs);
    const signal = o.signal ? AbortSignal.any([o.signal, timeout.signal]) : timeout.signal;
    let err: unknown;
    try {
      return await attempt(signal);
    } catch (caught) {
      if (o.signal?.aborted) throw abortError(o.signal);
      err = timeout.signal.aborted ? new AttemptTimeoutError(o.what, o.attemptTimeoutMs) : caught;
    } finally {
      clearTimeout(timer);
    }
    const kind = err instanceof AttemptTimeoutError ? 'retry' : classifyError(err);
    const now = Date.now();
    const retryable =
      kind === 'race'
        ? now < o.raceUntil
        : kind === 'retry' && n + 1 < o.maxAttempts && now - started < o.budgetMs;
    if (!retryable) throw err;
    const wait = backoffMs(n, o.random, kind === 'race' ? 500 : 250, kind === 'race' ? 5_000 : 20_000);
    const e = err as AwsLikeError;
    o.log?.(
      'debug',
      `${o.what}: ${e.name ?? 'error'} (${e.message ?? ''}), attempt ${n + 1}, retrying in ${wait} ms`,
    );
    o.onRetry?.(kind, err);
    await sleep(wait, o.signal);
  }
}
