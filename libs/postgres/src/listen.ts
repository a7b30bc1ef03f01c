/**
 * A dedicated connection that LISTENs on a channel, for loops woken by NOTIFY. When the connection
 * is lost, `onLost` is told once (re-read: a notification may have been missed) and the connection
 * goes back to the pool as broken; `close` after that, or twice, does nothing.
 */
import { backoffMs } from './backoff';
import type { Pool, PoolClient } from './pool';
import { createWaker } from './waker';

export interface Listening {
  readonly client: PoolClient;
  close(): Promise<void>;
}

export async function listen(
  pool: Pool,
  channel: string,
  handlers: {
    onNotify: (payload: string | undefined) => void;
    onLost: (error: Error) => void;
    /** Runs first on the connection; false gives it back and listens to nothing (e.g. a lock not won). */
    setup?: (client: PoolClient) => Promise<boolean>;
  },
): Promise<Listening | null> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a safe channel name: ${channel}`);
  const client = await pool.connect();
  let open = true;
  const release = (error?: Error) => {
    if (!open) return;
    open = false;
    client.removeListener('notification', onNotification);
    client.removeListener('error', onError);
    client.release(error);
  };
  const onNotification = (message: { channel: string; payload?: string }) => {
    if (message.channel === channel) handlers.onNotify(message.payload);
  };
  const onError = (error: Error) => {
    release(error);
    handlers.onLost(error);
  };
  // An error listener stays until release: an error after it goes to the pool's own idle handler.
  client.on('error', onError);
  try {
    if (handlers.setup && !(await handlers.setup(client))) {
      release();
      return null;
    }
    client.on('notification', onNotification);
    await client.query(`LISTEN ${channel}`);
  } catch (error) {
    release(error as Error);
    throw error;
  }
  return {
    client,
    async close() {
      if (!open) return;
      await client.query(`UNLISTEN ${channel}`).catch(() => undefined);
      release();
    },
  };
}

export interface KeptListening {
  /** Whether the LISTEN is in place right now. */
  readonly listening: boolean;
  stop(): Promise<void>;
}

/**
 * A LISTEN that comes back by itself: when its connection is lost (or cannot be had), it tries
 * again with back-off until `stop`. `onInterrupted` is told each time it was lost, since a
 * notification may have been missed meanwhile: the caller re-reads what it waits for.
 */
export function keepListening(
  pool: Pool,
  channel: string,
  handlers: { onNotify: (payload: string | undefined) => void; onInterrupted: (error: Error) => void },
): KeptListening {
  const waker = createWaker(); // its waits are the back-off; stop ends them
  let stop: () => void = () => undefined;
  const stopped = new Promise<null>((resolve) => (stop = () => resolve(null)));
  let current: Listening | undefined;
  const loop = (async () => {
    for (let failures = 0; !waker.stopped; ) {
      let lost: (error: Error) => void = () => undefined;
      const connectionLost = new Promise<Error>((resolve) => (lost = resolve));
      try {
        current = (await listen(pool, channel, { onNotify: handlers.onNotify, onLost: (error) => lost(error) }))!;
        failures = 0;
      } catch (error) {
        handlers.onInterrupted(error as Error);
        await waker.wait(backoffMs(++failures, 200, 5_000), false);
        continue;
      }
      const error = await Promise.race([connectionLost, stopped]);
      if (!error) break;
      current = undefined;
      handlers.onInterrupted(error);
    }
  })();
  return {
    get listening() {
      return current !== undefined;
    },
    async stop() {
      waker.stop();
      stop();
      await loop;
      await current?.close();
      current = undefined;
    },
  };
}
