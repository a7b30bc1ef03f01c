/**
 * Exponential back-off with jitter and a cap. The n-th failure in a row (n from 1) waits a delay in
 * [ceiling/2, ceiling], ceiling = min(maxMs, initialMs·2^n): instances that failed together do not
 * all come back at the same moment, and a long outage is retried every `maxMs` or so.
 */
export interface BackoffPolicy {
  /** The scale of the first delay: the first failure waits initialMs..2·initialMs (capped at maxMs). */
  initialMs: number;
  /** The longest delay. */
  maxMs: number;
}

export function backoffMs(attempt: number, initialMs = 100, maxMs = 5_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The back-off of one streak of failures: `next()` after each failure, `reset()` on a success. */
export interface Backoff {
  /** One more failure: the delay to wait before the next attempt. */
  next(): number;
  /** A success ends the streak: the next failure waits the shortest delay again. */
  reset(): void;
  /** Failures since the last success. */
  readonly failures: number;
}

export function createBackoff({ initialMs, maxMs }: BackoffPolicy, random: () => number = Math.random): Backoff {
  if (!(initialMs > 0) || !(maxMs > 0)) throw new Error(`a back-off needs positive delays, not ${initialMs}..${maxMs} ms`);
  let failures = 0;
  return {
    next: () => backoffMs(++failures, initialMs, maxMs, random),
    reset() {
      failures = 0;
    },
    get failures() {
      return failures;
    },
  };
}
