/** Exponential back-off with jitter: a delay in [ceiling/2, ceiling], ceiling = min(max, initial·2^attempt). */
export function backoffMs(attempt: number, initialMs = 100, maxMs = 5_000): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
