/**
 * The wait of a loop that notifications wake (LISTEN/NOTIFY, an in-process signal): an idle wait
 * ends early when a notification arrives (or arrived since the last wait: none is lost between two
 * waits), a back-off wait ignores notifications, and `stop` (or `signal` aborting) ends every wait
 * at once, and every later one. One wait at a time.
 */
export interface Waker {
  /** A notification: ends the idle wait in progress, or the next one at once. */
  notify(): void;
  /** Resolves after `ms`, or earlier on stop (and on a notification when `wakeOnNotify`). */
  wait(ms: number, wakeOnNotify: boolean): Promise<void>;
  stop(): void;
  readonly stopped: boolean;
}

export function createWaker(signal?: AbortSignal): Waker {
  let stopped = false;
  let pending = false;
  let wakeIdle: (() => void) | undefined;
  let wakeAny: (() => void) | undefined;
  const waker: Waker = {
    notify() {
      pending = true;
      wakeIdle?.();
    },
    wait(ms, wakeOnNotify) {
      return new Promise<void>((resolve) => {
        if (stopped || (wakeOnNotify && pending)) {
          if (wakeOnNotify) pending = false;
          resolve();
          return;
        }
        const done = () => {
          clearTimeout(timer);
          wakeIdle = undefined;
          wakeAny = undefined;
          if (wakeOnNotify) pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeAny = done;
        if (wakeOnNotify) wakeIdle = done;
      });
    },
    stop() {
      stopped = true;
      wakeAny?.();
    },
    get stopped() {
      return stopped;
    },
  };
  if (signal?.aborted) waker.stop();
  else signal?.addEventListener('abort', () => waker.stop(), { once: true });
  return waker;
}
