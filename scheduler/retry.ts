/**
 * The scheduler's retry policy. It looks at `retryable` alone (see common/errors.ts): an error that does
 * not say it is retryable is not retried.
 */
import { backoffDelay as commonBackoffDelay, realSleep, type BackoffOptions, type Sleep } from '../common/backoff.js';

export { realSleep, type BackoffOptions, type Sleep };

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 2_000, maxMs: 60_000 };

/** Delay before retry number `attempt` (1 = first retry), with the scheduler's default backoff. */
export function backoffDelay(attempt: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  return commonBackoffDelay(attempt, opts);
}

export function isRetryable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retryable?: unknown }).retryable === true;
}

/** After attempt number `attempt` (1-based) failed with `error`, is there another attempt? */
export function shouldRetry(error: unknown, attempt: number, maxAttempts: number): boolean {
  return attempt < maxAttempts && isRetryable(error);
}


