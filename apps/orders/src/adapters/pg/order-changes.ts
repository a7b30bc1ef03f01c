/**
 * Wakes whoever waits on an order (blocking reads, Server-Sent Events) when a transaction that
 * changed it commits, in this instance or any other: one LISTEN connection per instance, fed by the
 * pg_notify calls in order-store.ts. No polling loop. When the connection is lost (a database
 * restart) it comes back by itself, and every waiter is woken to re-read: a change may have
 * committed while nobody listened.
 */
import { keepListening, type Pool } from '@webshop/postgres';
import { ORDER_CHANGED_CHANNEL } from './order-store';

export interface OrderChanges {
  /** Resolves at the next committed change to the order (or when the feed was interrupted). */
  next(orderId: string, signal?: AbortSignal): Promise<void>;
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
    next(orderId, signal) {
      return new Promise<void>((resolve) => {
        const set = waiters.get(orderId) ?? new Set();
        const done = () => {
          set.delete(done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        set.add(done);
        waiters.set(orderId, set);
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    async stop() {
      wake();
      await listening.stop();
    },
  };
}
