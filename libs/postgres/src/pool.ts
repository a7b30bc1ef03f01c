import pg from 'pg';
import { inSpan, SpanKind } from '@webshop/tracing';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint (int8) columns come back as strings by default; every int8 here is a count, a sequence or
// cents, all far below 2^53, so parse them as numbers once for everyone.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** Told of every connection lost (database restart, network): the work on it fails and is retried. */
  onConnectionError?: (error: Error) => void;
}

/**
 * A pool whose clients can never end the process. pg emits 'error' on a client whose connection
 * dies, idle or not: checked out in the middle of a transaction, or holding a LISTEN. Node ends the
 * process on an 'error' event nobody listens to, and the pool listens only while a client is idle,
 * so every client gets a listener of its own for its whole life. The query in flight, if any,
 * rejects as well; that is where the work in hand is retried.
 */
export function createPool(connectionString: string, options: PoolOptions = {}): Pool {
  const { onConnectionError = () => undefined } = options;
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('connect', (client) => client.on('error', onConnectionError));
  pool.on('error', () => undefined); // an idle client's loss: already told through its own listener
  attributesOfPool.set(pool, databaseAttributes(connectionString));
  return pool;
}

/**
 * Runs `work` in one transaction: commits when it resolves, rolls back when it throws. Inside a
 * trace (a request, an event processed alone) the transaction is a span of its own, from the wait
 * for a connection to the commit; outside one (a consumer's run of many records, whose records each
 * have their span inside it) it records none.
 */
export function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return inSpan('transaction', { kind: SpanKind.CLIENT, onlyInTrace: true, attributes: transactionAttributes(pool) }, async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A rollback that fails means the connection is gone: the pool must not hand it out again.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  });
}

/** The OpenTelemetry database attributes of each pool's transactions, from its connection string. */
const attributesOfPool = new WeakMap<Pool, Record<string, string | number>>();
const transactionAttributes = (pool: Pool) => attributesOfPool.get(pool) ?? { 'db.system.name': 'postgresql' };

function databaseAttributes(connectionString: string): Record<string, string | number> {
  try {
    const url = new URL(connectionString);
    return { 'db.system.name': 'postgresql', 'db.namespace': decodeURIComponent(url.pathname.slice(1)), 'server.address': url.hostname, 'server.port': Number(url.port || 5432) };
  } catch {
    return { 'db.system.name': 'postgresql' };
  }
}
