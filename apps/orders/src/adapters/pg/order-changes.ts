/**
 * Wakes whoever waits on an order (blocking reads, Server-Sent Events) when a transaction that
 * changed it commits, in this instance or any other: one LISTEN connection per instance, fed by the
 * pg_notify calls in order-store.ts. No polling loop. When the connection is lost (a database
 * restart) it comes back by itself, and every waiter is woken to re-read: a change may have
 * committed while nobody listened.
 */
import { sleep } from '@webshop/background';
import { keepListening, type Pool } from '@webshop/postgres';
import { ORDER_CHANGED_CHANNEL } from './order-store';

export interface OrderChanges {
  /**
   * Resolves true at the next committed change to the order (or when the feed was interrupted: a
   * change may have been missed, re-read), false once `signal` aborted or `timeoutMs` passed first.
   */
  next(orderId: string, signal?: AbortSignal, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function listenForOrderChanges(pool: Pool, onInterrupted: (error: unknown) => void = () => undefined): OrderChanges {
  const waiters = new Map<string, Set<() => void>>();

  const wake = (orderId?: string) => {
    const targets = orderId ? [waiters.get(orderId)] : [...waiters.values()];
    for (const set of targets) for (const resolve of set ?? []) resolve();
    if (orderId) waiters.delete(orderId);
    else waiters.clear();
  };

  const listening = keepListening(pool, ORDER_CHANGED_CHANNEL, {
    onNotify: (orderId) => orderId && wake(orderId),
    onInterrupted: (error) => {
      onInterrupted(error);
      wake();
    },
  });

  return {
    next(orderId, signal, timeoutMs) {
      return new Promise<boolean>((resolve) => {
        const set = waiters.get(orderId) ?? new Set();
        const answered = new AbortController(); // ends the timeout's wait once there is an answer
        const done = (changed: boolean) => {
          if (answered.signal.aborted) return;
          answered.abort();
          set.delete(onChange);
          if (set.size === 0 && waiters.get(orderId) === set) waiters.delete(orderId);
          signal?.removeEventListener('abort', onAbort);
          resolve(changed);
        };
        const onChange = () => done(true);
        const onAbort = () => done(false);
        set.add(onChange);
        waiters.set(orderId, set);
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        if (timeoutMs !== undefined) void sleep(timeoutMs, answered.signal).then(() => done(false));
      });
    },
    async stop() {
      wake();
      await listening.stop();
    },
  };
}
