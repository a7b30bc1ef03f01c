/**
 * A dedicated connection that LISTENs on a channel, for loops woken by NOTIFY. When the connection
 * is lost, `onLost` is told once (re-read: a notification may have been missed) and the connection
 * goes back to the pool as broken; `close` after that, or twice, does nothing.
 */
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
