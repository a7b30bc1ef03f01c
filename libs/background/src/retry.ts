/**
 * Tries `attempt` until it passes, backing off between tries: for one step that must happen (a
 * start-up dependency, a write that must land). Gives up only when `onFailure` throws, so a caller
 * says which errors are not worth waiting for, or when a deadline passed.
 */
import { createBackoff, type BackoffPolicy } from './backoff';
import { failureStreak, type FailureLog } from './failure-streak';
import { sleep } from './sleep';

export interface RetryOptions {
  backoff: BackoffPolicy;
  /** How failures are logged: once per streak. */
  log?: FailureLog;
  /**
   * Told of each failure with the delay before the next try, before it is logged. Throwing gives up
   * (with what it throws); a number returned replaces the delay (e.g. capped by a deadline).
   */
  onFailure?: (error: unknown, failure: { attempt: number; delayMs: number }) => number | void;
  /** Ends the wait in progress early; the next try sees the signal aborted and decides. */
  signal?: AbortSignal;
}

export async function retry<T>(attempt: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const backoff = createBackoff(options.backoff);
  const streak = failureStreak(options.log);
  for (;;) {
    try {
      const result = await attempt(backoff.failures + 1);
      streak.succeeded();
      return result;
    } catch (error) {
      const proposed = backoff.next();
      const delayMs = options.onFailure?.(error, { attempt: backoff.failures, delayMs: proposed }) ?? proposed;
      streak.failed(error, backoff.failures, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}
