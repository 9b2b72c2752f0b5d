/**
 * Retrying, once for Pano: exponential backoff with jitter (the PDF renderer, the mail delivery), and whether an
 * error is worth another attempt — `retryable` alone decides (see common/errors.ts): an error that does not say it
 * is retryable is not retried.
 */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound for any single delay. */
  maxMs: number;
  /** Random source in [0, 1); injected by tests. */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): base·2^(attempt-1), capped, then "equal jitter"
 * (half fixed, half random) so concurrent callers spread out but never retry immediately.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const random = opts.random ?? Math.random;
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function isRetryable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retryable?: unknown }).retryable === true;
}

/** After attempt number `attempt` (1-based) failed with `error`, is there another attempt? */
export function shouldRetry(error: unknown, attempt: number, maxAttempts: number): boolean {
  return attempt < maxAttempts && isRetryable(error);
}
