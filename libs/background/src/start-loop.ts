/**
 * A background loop: do a unit of work; on success wait for the next wake-up or the interval; on a
 * failure tell of it once per streak (failure-streak.ts) and back off; stop promptly when asked,
 * finishing the unit in hand (no wait is waited out). The unit says what comes next by what it
 * returns. The back-off is reset by any unit that did not fail.
 *
 * `work`, `onFailure` and the logger must not throw out of the loop: `work`'s errors are the
 * failures; the other two are told of them.
 */
import { createBackoff, type BackoffPolicy } from './backoff';
import { failureStreak, type FailureLog } from './failure-streak';
import { createWaker } from './waker';

export type Next =
  /** Nothing more to do: wait for a wake-up, `idleMs` at the most. */
  | 'idle'
  /** More to do: go on at once. */
  | 'again'
  /** A failure the unit has told of itself (e.g. per item): back off, deaf to wake-ups. */
  | 'failed'
  /** Like 'idle', with this unit's own bound (e.g. until the next item falls due). */
  | { idleMs: number }
  /** Wait this long, deaf to wake-ups (e.g. until a lease someone else holds may be free). */
  | { pauseMs: number };

export interface LoopOptions {
  /** One unit of work. `signal` aborts when the loop is asked to stop: a unit that waits on something open-ended ends that wait then. */
  work: (signal: AbortSignal) => Promise<Next | void>;
  /** The longest idle wait: the safety-net poll of a loop that wake-ups drive, or the interval of one nothing wakes. */
  idleMs: number;
  /** The back-off after a failed unit. */
  backoff: BackoffPolicy;
  /** How failures are logged: once per streak. */
  log?: FailureLog;
  /** Told of every failure (a unit that threw), with its place in the streak. */
  onFailure?: (error: unknown, attempt: number) => void;
  /** Start with an idle wait rather than a unit (a renewal due only after a while). */
  waitFirst?: boolean;
  /** Stops the loop when it aborts, as `stop()` does. */
  signal?: AbortSignal;
}

export interface Loop {
  /** A notification: ends the idle wait in progress, or the next one at once. */
  wake(): void;
  /** Lets the unit in hand finish, ends any wait, and resolves once the loop has ended. */
  stop(): Promise<void>;
  readonly stopping: boolean;
}

export function startLoop(options: LoopOptions): Loop {
  const { work, idleMs, log, onFailure, waitFirst = false, signal } = options;
  const backoff = createBackoff(options.backoff);
  const streak = failureStreak(log);
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  const waker = createWaker(stopping.signal);

  const running = (async () => {
    if (waitFirst) await waker.wait(idleMs, true);
    while (!stopping.signal.aborted) {
      let next: Next | void;
      try {
        next = await work(stopping.signal);
      } catch (error) {
        const delayMs = backoff.next();
        onFailure?.(error, backoff.failures);
        streak.failed(error, backoff.failures, delayMs);
        await waker.wait(delayMs, false);
        continue;
      }
      if (next === 'failed') {
        await waker.wait(backoff.next(), false);
        continue;
      }
      backoff.reset();
      streak.succeeded();
      if (next === 'again') continue;
      if (next === undefined || next === 'idle') await waker.wait(idleMs, true);
      else if ('idleMs' in next) await waker.wait(next.idleMs, true);
      else await waker.wait(next.pauseMs, false);
    }
    signal?.removeEventListener('abort', stop);
  })();

  return {
    wake: () => waker.notify(),
    async stop() {
      stop();
      await running;
    },
    get stopping() {
      return stopping.signal.aborted;
    },
  };
}
