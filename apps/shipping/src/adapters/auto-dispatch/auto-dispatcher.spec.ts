/**
 * Several auto-dispatchers on one database (several instances of the service) share the due
 * shipments and never move one twice: each shipment ends DELIVERED with exactly one dispatch and
 * one delivery in the outbox, and one tracking number.
 */
import { randomUUID } from 'node:crypto';
import { messagingMigrations } from '@webshop/kafka';
import { migrate, withTransaction } from '@webshop/postgres';
import { createLogger } from '@webshop/service-kit';
import { createTestDatabase, waitFor, type TestDatabase } from '@webshop/testing';
import { migrations } from '../pg/migrations';
import { insertShipment } from '../pg/shipment-store';
import { startAutoDispatcher, type AutoDispatcher } from './auto-dispatcher';

const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

describe('the auto-dispatcher', () => {
  let db: TestDatabase;
  const dispatchers: AutoDispatcher[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('autodispatch');
    await migrate(db.pool, [...messagingMigrations, ...migrations]);
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
  });
  afterAll(() => db?.drop());

  it('moves every due shipment exactly once when three instances run side by side', async () => {
    const scheduledAt = new Date(Date.now() - 60_000).toISOString();
    const orderIds = Array.from({ length: 40 }, () => randomUUID());
    await withTransaction(db.pool, async (tx) => {
      for (const orderId of orderIds) {
        await insertShipment(tx, { status: 'SCHEDULED', orderId, shipmentId: randomUUID(), scheduledAt }, address);
      }
    });

    const logger = createLogger({ service: 'shipping' }, 'silent');
    for (let i = 0; i < 3; i++) dispatchers.push(startAutoDispatcher({ pool: db.pool, afterMs: 50, logger, batchSize: 5 }));

    await waitFor(
      async () => (await db.pool.query(`SELECT 1 FROM shipments WHERE order_id = ANY($1) AND status <> 'DELIVERED'`, [orderIds])).rowCount === 0,
      { timeoutMs: 30_000, description: 'every shipment delivered' },
    );
    const { rows } = await db.pool.query<{ event_type: string; n: number }>(
      `SELECT event_type, count(*)::int AS n FROM outbox WHERE key = ANY($1) GROUP BY event_type, key`,
      [orderIds],
    );
    expect(rows).toHaveLength(80);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const tracking = await db.pool.query('SELECT DISTINCT tracking_number FROM shipments WHERE order_id = ANY($1)', [orderIds]);
    expect(tracking.rowCount).toBe(40);
  });

  it('leaves a shipment alone until it has waited long enough, and stops promptly', async () => {
    const orderId = randomUUID();
    await withTransaction(db.pool, (tx) =>
      insertShipment(tx, { status: 'SCHEDULED', orderId, shipmentId: randomUUID(), scheduledAt: new Date().toISOString() }, address),
    );
    let looks = 0;
    const clock = () => {
      looks += 1;
      return new Date();
    };
    const logger = createLogger({ service: 'shipping' }, 'silent');
    const dispatcher = startAutoDispatcher({ pool: db.pool, afterMs: 60_000, logger, clock, intervalMs: 10 });
    // The dispatcher reads the clock each time it looks for a due shipment: let it look many times.
    await waitFor(() => looks >= 20, { description: 'twenty looks for due shipments' });
    const started = Date.now();
    await dispatcher.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    const { rows } = await db.pool.query('SELECT status FROM shipments WHERE order_id = $1', [orderId]);
    expect(rows[0]).toEqual({ status: 'SCHEDULED' });
  });
});
