/**
 * A dedicated connection that LISTENs on a channel, for loops woken by NOTIFY. When the connection
 * is lost, `onLost` is told once (re-read: a notification may have been missed) and the connection
 * goes back to the pool as broken; `close` after that, or twice, does nothing.
 */
import { startLoop } from '@webshop/background';
import type { Pool, PoolClient } from './pool';

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
  /**
   * Resolves once the first attempt put the LISTEN in place, or rejects with what that attempt
   * failed on (it goes on trying all the same): for a start that must fail while the database is away.
   */
  firstAttempt(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A LISTEN that comes back by itself: when its connection is lost it listens again at once, and
 * when a connection cannot be had it tries again with back-off (200 ms up to 5 s) until `stop`.
 * `onInterrupted` is told each time it was lost or an attempt failed, since a notification may have
 * been missed meanwhile: the caller re-reads what it waits for.
 */
export function keepListening(
  pool: Pool,
  channel: string,
  handlers: { onNotify: (payload: string | undefined) => void; onInterrupted: (error: Error) => void },
): KeptListening {
  let current: Listening | undefined;
  let first: (error: Error | null) => void = () => undefined;
  const firstOutcome = new Promise<Error | null>((resolve) => (first = resolve));
  const loop = startLoop({
    idleMs: 0, // never idle: a unit lasts as long as its connection
    backoff: { initialMs: 200, maxMs: 5_000 },
    onFailure: (error) => {
      first(error as Error);
      handlers.onInterrupted(error as Error);
    },
    async work(stopping) {
      let lost: (error: Error) => void = () => undefined;
      const connectionLost = new Promise<Error>((resolve) => (lost = resolve));
      current = (await listen(pool, channel, { onNotify: handlers.onNotify, onLost: (error) => lost(error) }))!;
      first(null);
      const error = await untilLostOrStopped(connectionLost, stopping);
      if (error) {
        current = undefined;
        handlers.onInterrupted(error);
      }
      return 'again';
    },
  });
  return {
    get listening() {
      return current !== undefined;
    },
    async firstAttempt() {
      const error = await firstOutcome;
      if (error) throw error;
    },
    async stop() {
      await loop.stop();
      await current?.close();
      current = undefined;
    },
  };
}

/** The error that ended the connection, or undefined once `stopping` aborted. */
function untilLostOrStopped(connectionLost: Promise<Error>, stopping: AbortSignal): Promise<Error | undefined> {
  if (stopping.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const stopped = () => resolve(undefined);
    stopping.addEventListener('abort', stopped, { once: true });
    void connectionLost.then((error) => {
      stopping.removeEventListener('abort', stopped);
      resolve(error);
    });
  });
}
