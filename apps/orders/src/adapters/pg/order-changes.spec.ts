/**
 * The change feed on the real Postgres: a waiter on an order is woken by a NOTIFY of that order
 * (from any connection), not by another order's; it gives up when its signal aborts or its time
 * is up; and the feed comes back after its LISTEN connection was cut, waking every waiter to re-read.
 */
import { createTestDatabase, waitFor, type TestDatabase } from '@webshop/testing';
import { listenForOrderChanges, type OrderChanges } from './order-changes';
import { ORDER_CHANGED_CHANNEL } from './order-store';

describe('the order change feed', () => {
  let db: TestDatabase;
  let changes: OrderChanges;
  const interruptions: unknown[] = [];
  const notify = (orderId: string) => db.pool.query('SELECT pg_notify($1, $2)', [ORDER_CHANGED_CHANNEL, orderId]);
  const listeningConnections = async () =>
    (await db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [`LISTEN ${ORDER_CHANGED_CHANNEL}`])).rowCount ?? 0;

  beforeAll(async () => {
    db = await createTestDatabase('orderchanges');
    changes = listenForOrderChanges(db.pool, (error) => interruptions.push(error));
    await waitFor(async () => (await listeningConnections()) === 1, { timeoutMs: 30_000, description: 'the feed listening' });
  });
  afterAll(async () => {
    await changes?.stop();
    await db?.drop();
  });

  it("wakes a waiter at its order's change and not at another order's", async () => {
    let answer: boolean | undefined;
    const waiting = changes.next('order-a').then((changed) => (answer = changed));
    const other = changes.next('order-b');
    await notify('order-b');
    await expect(other).resolves.toBe(true); // the other order's change has arrived…
    expect(answer).toBeUndefined(); // …and did not wake this one
    await waitFor(
      async () => {
        await notify('order-a');
        return answer !== undefined;
      },
      { timeoutMs: 30_000, description: 'the waiter woken' },
    );
    await waiting;
    expect(answer).toBe(true);
  });

  it('answers false when the signal aborts, or aborted already, or the time is up', async () => {
    const stop = new AbortController();
    const waiting = changes.next('order-c', stop.signal);
    stop.abort();
    await expect(waiting).resolves.toBe(false);
    await expect(changes.next('order-c', stop.signal)).resolves.toBe(false);
    await expect(changes.next('order-c', undefined, 10)).resolves.toBe(false);
  });

  it('wakes every waiter when its LISTEN connection is cut, and listens again', async () => {
    const waiting = changes.next('order-d');
    await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [`LISTEN ${ORDER_CHANGED_CHANNEL}`]);
    await expect(waiting).resolves.toBe(true); // re-read: a change may have been missed
    expect(interruptions.length).toBeGreaterThan(0);
    let answer: boolean | undefined;
    void changes.next('order-e').then((changed) => (answer = changed));
    await waitFor(
      async () => {
        await notify('order-e');
        return answer === true;
      },
      { timeoutMs: 30_000, description: 'a change heard after the cut' },
    );
  });
});
