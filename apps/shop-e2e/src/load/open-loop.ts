/**
 * The open-loop scheduler: order i is due at start + i / rate and is sent then, whether or not any
 * earlier order has been answered. The scheduler never waits for a response; `send` only starts
 * the work. When the timer wakes late (a busy event loop, a coarse timer), everything that has
 * fallen due is sent at once, each still carrying its own scheduled time, so latency measured from
 * that time includes the delay the generator itself caused (no coordinated omission).
 *
 * Time is injected (`now`, `sleep`), so the schedule can be tested without real time passing.
 */

export interface OpenLoopOptions {
  /** Orders per second (> 0; fractions allowed). */
  ratePerSecond: number;
  /** How long to keep scheduling, in ms: orders are due at offsets [0, durationMs). */
  durationMs: number;
  /** Starts sending order `index`, scheduled at `scheduledAt` (in `now()` time). Must not block. */
  send(index: number, scheduledAt: number): void;
  /** A monotonic clock in ms. */
  now(): number;
  /** Resolves after about `ms` (may be late; never relied on to be exact). */
  sleep(ms: number): Promise<void>;
  /** Stops scheduling early (orders not yet due are never sent). */
  signal?: AbortSignal;
}

export interface OpenLoopResult {
  /** The `now()` time of order 0's schedule. */
  startedAt: number;
  /** How many orders were handed to `send`. */
  sent: number;
  /** The worst lateness of a send behind its schedule, in ms: a sign of an overloaded generator. */
  maxLagMs: number;
  stoppedEarly: boolean;
}

/** How many orders fall due in [0, durationMs) at this rate (tolerant of floating-point noise). */
export function scheduledCount(ratePerSecond: number, durationMs: number): number {
  return Math.max(0, Math.ceil((ratePerSecond * durationMs) / 1000 - 1e-9));
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { ratePerSecond, durationMs, send, now, sleep, signal } = options;
  if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) throw new RangeError(`ratePerSecond must be a positive number; got ${ratePerSecond}`);
  if (!(durationMs > 0 && Number.isFinite(durationMs))) throw new RangeError(`durationMs must be a positive number; got ${durationMs}`);

  const total = scheduledCount(ratePerSecond, durationMs);
  const startedAt = now();
  const dueAt = (index: number) => startedAt + (index * 1000) / ratePerSecond;
  let next = 0;
  let maxLagMs = 0;

  while (next < total && !signal?.aborted) {
    const t = now();
    // Everything due by now goes out in this pass, however far behind the timer was.
    while (next < total && dueAt(next) <= t) {
      maxLagMs = Math.max(maxLagMs, t - dueAt(next));
      send(next, dueAt(next));
      next += 1;
    }
    if (next < total) await sleep(Math.max(0, dueAt(next) - now()));
  }
  return { startedAt, sent: next, maxLagMs, stoppedEarly: next < total };
}
