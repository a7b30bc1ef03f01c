/**
 * Wakes whoever waits on an order (blocking reads, Server-Sent Events) when a transaction that
 * changed it commits, in this instance or any other: one LISTEN connection per instance, fed by the
 * pg_notify calls in order-store.ts. No polling loop.
 */
import { listen, type Listening, type Pool } from '@webshop/postgres';
import { ORDER_CHANGED_CHANNEL } from './order-store';

export interface OrderChanges {
  /** Resolves at the next committed change to the order (or when the feed reconnects). */
  next(orderId: string, signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export async function listenForOrderChanges(pool: Pool, onError: (error: unknown) => void = () => undefined): Promise<OrderChanges> {
  const waiters = new Map<string, Set<() => void>>();
  let listening: Listening | undefined;
  let stopped = false;

  const wake = (orderId?: string) => {
    const targets = orderId ? [waiters.get(orderId)] : [...waiters.values()];
    for (const set of targets) for (const resolve of set ?? []) resolve();
    if (orderId) waiters.delete(orderId);
    else waiters.clear();
  };

  async function connect(): Promise<void> {
    listening =
      (await listen(pool, ORDER_CHANGED_CHANNEL, {
        onNotify: (orderId) => orderId && wake(orderId),
        onLost: (error) => {
          onError(error);
          listening = undefined;
          wake(); // waiters re-read: they may have missed a change while the connection was down
          if (!stopped) setTimeout(() => connect().catch(onError), 1000);
        },
      })) ?? undefined;
  }
  await connect();

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
      stopped = true;
      wake();
      const current = listening;
      listening = undefined;
      await current?.close();
    },
  };
}
