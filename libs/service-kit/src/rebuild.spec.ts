/**
 * The rebuild of a stopped service's read models against the real broker and a real database: a
 * test's own topics (a prefix) with purchases on them, a projection of their cities, and the
 * service's consumer group to say whether it runs.
 */
import { randomUUID } from 'node:crypto';
import type { EventData } from '@webshop/events';
import { connectProducer, createConsumerRunner, encodeRecord, ensureTopics, messagingMigrations, type EventHandlers } from '@webshop/kafka';
import { migrate } from '@webshop/postgres';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { testKafka } from '@webshop/kafka/testing';
import { uniqueName } from '@webshop/testing-core';
import { createLogger } from './logger';
import { formatRebuildReport, rebuildProjections } from './rebuild';

const purchase = (orderId: string, city: string): EventData<'PurchaseRequested'> => ({
  orderId,
  customerId: 'ada',
  email: 'ada@example.com',
  items: [{ sku: 'TEA-1', quantity: 1, unitPriceCents: 450 }],
  totalCents: 450,
  shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city, postalCode: 'SW1Y 4JH', country: 'GB' },
  requestedAt: new Date().toISOString(),
});

describe('rebuilding the read models of a stopped service', () => {
  const prefix = `${uniqueName('rebuild').replace(/_/g, '-')}.`;
  const kafka = testKafka('rebuild-test');
  const logger = createLogger({ service: 'shipping' }, 'silent');
  const orders = Array.from({ length: 12 }, (_, i) => ({ orderId: randomUUID(), city: `City ${i}` }));
  // A projection, as a service declares it: applied live and in a replay; `seen_at` is the time of
  // the insert, which a replay does not reproduce, so the comparison leaves it out.
  const handlers = (): EventHandlers => ({
    PurchaseRequested: async (event, tx) =>
      void (await tx.query('INSERT INTO addresses (order_id, city) VALUES ($1, $2) ON CONFLICT DO NOTHING', [event.data.orderId, event.data.shippingAddress.city])),
  });
  const definition = {
    name: 'shipping' as const,
    consumes: { topics: [{ name: 'orders' }] },
    projections: { tables: [{ name: 'addresses', columns: ['order_id', 'city'] }], handlers },
  };
  let db: TestDatabase;
  const rebuild = () => rebuildProjections(definition, { pool: db.pool, kafka, topicPrefix: prefix, logger });
  const cities = async () => (await db.pool.query('SELECT order_id, city FROM addresses ORDER BY order_id')).rows;

  beforeAll(async () => {
    db = await createTestDatabase('rebuild');
    await migrate(db.pool, [
      ...messagingMigrations,
      { id: '100_addresses', sql: 'CREATE TABLE addresses (order_id uuid PRIMARY KEY, city text NOT NULL, seen_at timestamptz NOT NULL DEFAULT clock_timestamp())' },
    ]);
    await ensureTopics(kafka, [`${prefix}orders`], 3);
    const producer = await connectProducer(kafka);
    await producer.send(
      `${prefix}orders`,
      orders.map(({ orderId, city }) => encodeRecord({ type: 'PurchaseRequested', data: purchase(orderId, city) }, 'orders')),
    );
    await producer.disconnect();
    // The live view, as the service built it while it ran.
    for (const { orderId, city } of orders) await db.pool.query('INSERT INTO addresses (order_id, city) VALUES ($1, $2)', [orderId, city]);
  });
  afterAll(() => db?.drop());

  it('rebuilds the same view from the topics, says so, and leaves no copy or inbox entry behind', async () => {
    const before = await cities();
    const report = await rebuild();
    expect(report).toMatchObject({ service: 'shipping', records: 12, identical: true, keptIn: null });
    expect(report.tables).toEqual([{ table: 'addresses', before: 12, after: 12, missing: 0, extra: 0, samples: { missing: [], extra: [] } }]);
    expect(await cities()).toEqual(before);
    expect((await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'")).rows).toEqual([]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM inbox')).rows[0].n).toBe(0);
    expect(formatRebuildReport(report)).toContain('addresses: 12 rows before, 12 after: identical');
  });

  it('repairs a view that drifted from the log, and keeps the old one aside with what differed', async () => {
    const [changed, deleted] = orders;
    await db.pool.query("UPDATE addresses SET city = 'Nowhere' WHERE order_id = $1", [changed!.orderId]);
    await db.pool.query('DELETE FROM addresses WHERE order_id = $1', [deleted!.orderId]);
    const report = await rebuild();
    expect(report.identical).toBe(false);
    expect(report.tables[0]).toMatchObject({ before: 11, after: 12, missing: 1, extra: 2 });
    expect(report.tables[0]!.samples.missing).toEqual([{ order_id: changed!.orderId, city: 'Nowhere' }]);
    expect(await cities()).toEqual([...orders].sort((a, b) => (a.orderId < b.orderId ? -1 : 1)).map((o) => ({ order_id: o.orderId, city: o.city })));
    const kept = await db.pool.query(`SELECT count(*)::int AS n FROM "${report.keptIn}".addresses`);
    expect(kept.rows[0].n).toBe(11);
    expect(formatRebuildReport(report)).toContain(`the old one is kept in schema ${report.keptIn}`);
  });

  it('refuses while the service runs, touching nothing', async () => {
    const live = createConsumerRunner({ kafka, pool: db.pool, service: 'shipping', groupId: `${prefix}shipping`, topics: [{ name: 'orders' }], topicPrefix: prefix, handlers: handlers() });
    await live.start();
    try {
      const before = await cities();
      await expect(rebuild()).rejects.toThrow(/shipping is running \(1 member in consumer group .*\): stop it first/);
      expect(await cities()).toEqual(before);
    } finally {
      await live.stop();
    }
  });

  it('refuses a service that keeps no read model', async () => {
    await expect(rebuildProjections({ name: 'payment', consumes: { topics: [{ name: 'orders' }] } }, { pool: db.pool, kafka, topicPrefix: prefix, logger })).rejects.toThrow(
      'payment keeps no read model of the topics: there is nothing to rebuild',
    );
  });
});
