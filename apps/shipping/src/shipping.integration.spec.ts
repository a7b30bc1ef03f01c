/**
 * The shipping service end to end: real Kafka, real Postgres, its real HTTP API. Events are fed to
 * the orders topic as orders publishes them; what shipping publishes is read from the shipments topic.
 */
import { randomUUID } from 'node:crypto';
import type { EventOf } from '@webshop/events';
import { shippingService } from './service';
import { messagingMigrations, replayTopics, startReader } from '@webshop/kafka';
import { migrate } from '@webshop/postgres';
import { createLogger } from '@webshop/service-kit';
import { createTestDatabase, waitFor, startServiceHarness, type ServiceHarness } from '@webshop/testing';
import { consumedTopics, shippingEventHandlers } from './adapters/kafka/handlers';
import { migrations, projectionTables } from './adapters/pg/migrations';

const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };
const now = () => new Date().toISOString();

const requested = (orderId: string): EventOf<'PurchaseRequested'> => ({
  type: 'PurchaseRequested',
  data: {
    orderId,
    customerId: 'ada',
    email: 'ada@example.com',
    items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
    totalCents: 900,
    shippingAddress: address,
    requestedAt: now(),
  },
});
const confirmed = (orderId: string): EventOf<'OrderConfirmed'> => ({
  type: 'OrderConfirmed',
  data: { orderId, paymentId: randomUUID(), confirmedAt: now() },
});
const cancelled = (orderId: string): EventOf<'OrderCancelled'> => ({
  type: 'OrderCancelled',
  data: { orderId, reason: 'changed my mind', cancelledAt: now() },
});

const cancellationRequested = (orderId: string): EventOf<'OrderCancellationRequested'> => ({
  type: 'OrderCancellationRequested',
  data: { orderId, reason: 'changed my mind', requestedAt: now() },
});
/** What cancels a shipment: orders' request for a confirmed order, and (from older orders) OrderCancelled. */
const cancellations = [
  ['a cancellation request', cancellationRequested],
  ['an order cancellation', cancelled],
] as const;

const about = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;

describe('shipping', () => {
  let shop: ServiceHarness;

  beforeAll(async () => {
    shop = await startServiceHarness(shippingService, { label: 'shipping', reads: ['shipments'] });
  });
  afterAll(() => shop?.stop());

  /** An order requested and confirmed; resolves once its shipment was scheduled and published. */
  async function confirmedOrder(): Promise<string> {
    const orderId = randomUUID();
    await shop.publish([requested(orderId), confirmed(orderId)]);
    await shop.waitForPublished('ShipmentScheduled', about(orderId));
    return orderId;
  }

  /** Every shipment event shipping decided to publish about the order (its outbox), by type. */
  async function outboxOf(orderId: string): Promise<string[]> {
    const { rows } = await shop.db.pool.query<{ event_type: string }>(
      `SELECT event_type FROM outbox WHERE key = $1 ORDER BY id`,
      [orderId],
    );
    return rows.map((r) => r.event_type);
  }

  it('schedules a shipment to the address of the order when the order is confirmed', async () => {
    const orderId = randomUUID();
    const [, confirmedId] = await shop.publish([requested(orderId), confirmed(orderId)]);

    const [scheduled] = await shop.waitForPublished('ShipmentScheduled', about(orderId));
    expect(scheduled).toMatchObject({ key: orderId, causationId: confirmedId, data: { orderId, trackingNumber: null } });

    const { status, body } = await shop.api(`/shipments/${orderId}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      orderId,
      shipmentId: scheduled!.data.shipmentId,
      status: 'SCHEDULED',
      address,
      scheduledAt: scheduled!.data.at,
    });
  });

  it('dispatches and delivers through the API, publishing each step', async () => {
    const orderId = await confirmedOrder();

    const dispatch = await shop.api(`/shipments/${orderId}/dispatch`, { method: 'POST' });
    expect(dispatch.status).toBe(202);
    expect(dispatch.body).toMatchObject({ orderId, status: 'DISPATCHED', address });
    expect(dispatch.body.trackingNumber).toMatch(/^TRK-[A-Z0-9]{10}$/);
    const [dispatched] = await shop.waitForPublished('ShipmentDispatched', about(orderId));
    expect(dispatched!.data).toEqual({
      orderId,
      shipmentId: dispatch.body.shipmentId,
      trackingNumber: dispatch.body.trackingNumber,
      at: dispatch.body.dispatchedAt,
    });

    const deliver = await shop.api(`/shipments/${orderId}/deliver`, { method: 'POST' });
    expect(deliver.status).toBe(202);
    expect(deliver.body).toMatchObject({ status: 'DELIVERED', trackingNumber: dispatch.body.trackingNumber, dispatchedAt: dispatch.body.dispatchedAt });
    const [delivered] = await shop.waitForPublished('ShipmentDelivered', about(orderId));
    expect(delivered!.data).toMatchObject({ trackingNumber: dispatch.body.trackingNumber, at: deliver.body.deliveredAt });

    expect((await shop.api(`/shipments/${orderId}`)).body).toEqual(deliver.body);
  });

  it('refuses a step the shipment is not ready for with 409, changing nothing', async () => {
    const orderId = await confirmedOrder();
    const before = (await shop.api(`/shipments/${orderId}`)).body;

    const early = await shop.api(`/shipments/${orderId}/deliver`, { method: 'POST' });
    expect(early.status).toBe(409);
    expect(early.body).toEqual({ error: 'invalid_shipment_state', message: expect.stringContaining('is SCHEDULED') });

    expect((await shop.api(`/shipments/${orderId}/dispatch`, { method: 'POST' })).status).toBe(202);
    const twice = await shop.api(`/shipments/${orderId}/dispatch`, { method: 'POST' });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ error: 'invalid_shipment_state', message: expect.stringContaining('is DISPATCHED') });

    const after = (await shop.api(`/shipments/${orderId}`)).body;
    expect(after).toMatchObject({ status: 'DISPATCHED', scheduledAt: before.scheduledAt });
    expect(await outboxOf(orderId)).toEqual(['ShipmentScheduled', 'ShipmentDispatched']);
  });

  it('answers 404 not_found for an unknown order, a malformed id, and steps on either', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      for (const [path, method] of [[`/shipments/${id}`, 'GET'], [`/shipments/${id}/dispatch`, 'POST'], [`/shipments/${id}/deliver`, 'POST']]) {
        const { status, body } = await shop.api(path!, { method });
        expect({ path, status, error: body.error }).toEqual({ path, status: 404, error: 'not_found' });
      }
    }
  });

  it.each(cancellations)('cancels the shipment on %s before dispatch', async (_what, cancellation) => {
    const orderId = await confirmedOrder();
    const [cancelledId] = await shop.publish([cancellation(orderId)]);

    const [event] = await shop.waitForPublished('ShipmentCancelled', about(orderId));
    expect(event).toMatchObject({ causationId: cancelledId, data: { orderId, trackingNumber: null } });
    expect((await shop.api(`/shipments/${orderId}`)).body).toMatchObject({ status: 'CANCELLED' });
    expect((await shop.api(`/shipments/${orderId}/dispatch`, { method: 'POST' })).status).toBe(409);
  });

  it.each(cancellations)('keeps a dispatched shipment when %s comes late: the dispatch stands', async (_what, cancellation) => {
    const orderId = await confirmedOrder();
    expect((await shop.api(`/shipments/${orderId}/dispatch`, { method: 'POST' })).status).toBe(202);
    const [cancelledId] = await shop.publish([cancellation(orderId)]);
    await shop.handled(cancelledId!);

    expect((await shop.api(`/shipments/${orderId}`)).body).toMatchObject({ status: 'DISPATCHED' });
    expect(await outboxOf(orderId)).toEqual(['ShipmentScheduled', 'ShipmentDispatched']);
    expect(shop.logs).toContainEqual(expect.objectContaining({ correlationId: orderId, eventType: cancellation(orderId).type, eventId: cancelledId, status: 'DISPATCHED', msg: expect.stringContaining('after the parcel left') }));
  });

  it('decides a cancellation request racing a dispatch one way only: cancelled, or dispatched', async () => {
    const orders = await Promise.all(Array.from({ length: 10 }, () => confirmedOrder()));
    const outcomes = await Promise.all(
      orders.map(async (orderId) => {
        const [dispatch, [requestId]] = await Promise.all([shop.api(`/shipments/${orderId}/dispatch`, { method: 'POST' }), shop.publish([cancellationRequested(orderId)])]);
        await shop.handled(requestId!);
        return { orderId, dispatch: dispatch.status, events: await outboxOf(orderId), status: (await shop.api(`/shipments/${orderId}`)).body.status };
      }),
    );
    for (const o of outcomes) {
      expect([
        { dispatch: 202, events: ['ShipmentScheduled', 'ShipmentDispatched'], status: 'DISPATCHED' },
        { dispatch: 409, events: ['ShipmentScheduled', 'ShipmentCancelled'], status: 'CANCELLED' },
      ]).toContainEqual({ dispatch: o.dispatch, events: o.events, status: o.status });
    }
  });

  it('does nothing when an order without a shipment is cancelled', async () => {
    const orderId = randomUUID();
    const [, cancelledId] = await shop.publish([requested(orderId), cancelled(orderId)]);
    await shop.handled(cancelledId!);
    expect((await shop.api(`/shipments/${orderId}`)).status).toBe(404);
    expect(await outboxOf(orderId)).toEqual([]);
  });

  it('schedules one shipment however often the order is confirmed', async () => {
    const orderId = randomUUID();
    const again = confirmed(orderId);
    // The same record twice (a redelivery), then another confirmation event for the same order.
    await shop.publish([requested(orderId), { ...again, eventId: randomUUID() }], { times: 2 });
    const [lastId] = await shop.publish([confirmed(orderId)]);
    await shop.handled(lastId!);

    expect(await outboxOf(orderId)).toEqual(['ShipmentScheduled']);
    await shop.waitForPublished('ShipmentScheduled', about(orderId));
    expect((await shop.api(`/shipments/${orderId}`)).body).toMatchObject({ status: 'SCHEDULED' });
  });

  it('dead-letters a confirmation of an order it never saw requested, and goes on', async () => {
    const unknown = randomUUID();
    const [eventId] = await shop.publish([confirmed(unknown)]);
    const dlq = `${shop.prefix}orders.dlq.shipping`;
    const reasons: string[] = [];
    const reader = await startReader(shop.kafka, { groupId: `${shop.prefix}dlq-reader`, topics: [dlq] }, (message) => {
      const header = (name: string) => message.headers?.[name]?.toString();
      if (header('event-id') === eventId) reasons.push(Object.entries(message.headers ?? {}).map(([k, v]) => `${k}=${v?.toString()}`).join(' '));
    });
    try {
      await waitFor(() => reasons.length > 0, { timeoutMs: 30_000, description: 'the confirmation on the dead-letter topic' });
    } finally {
      await reader.stop();
    }
    expect(reasons[0]).toContain('unknown_order');
    expect((await shop.api(`/shipments/${unknown}`)).status).toBe(404);

    await confirmedOrder(); // the partition is not blocked
  });

  it('rebuilds the same address book by replaying the orders topic into an empty table', async () => {
    await Promise.all([0, 1, 2].map(() => shop.publish([requested(randomUUID())])));
    await waitFor(async () => (await shop.running.relay.backlog()) === 0);
    const fresh = await createTestDatabase('shipping_replay');
    try {
      await migrate(fresh.pool, [...messagingMigrations, ...migrations]);
      const original = async () => (await shop.db.pool.query(`SELECT * FROM ${projectionTables[0]} ORDER BY order_id`)).rows;
      // Everything published so far is in the table before the snapshot.
      const before = await waitFor(async () => {
        const rows = await original();
        return rows.length >= 3 && rows;
      });
      await replayTopics({
        kafka: shop.kafka,
        pool: fresh.pool,
        service: 'shipping',
        topics: consumedTopics,
        topicPrefix: shop.prefix,
        handlers: shippingEventHandlers('replay', { logger: createLogger({ service: 'shipping' }, 'silent') }),
      });
      const rebuilt = (await fresh.pool.query(`SELECT * FROM ${projectionTables[0]} ORDER BY order_id`)).rows;
      expect(rebuilt).toEqual(before);
      expect((await fresh.pool.query('SELECT count(*)::int AS n FROM shipments')).rows[0].n).toBe(0); // a replay decides nothing
    } finally {
      await fresh.drop();
    }
  });
});

describe('shipping with AUTO_DISPATCH_MS', () => {
  let shop: ServiceHarness;

  beforeAll(async () => {
    shop = await startServiceHarness(shippingService, { label: 'shipping_auto', reads: ['shipments'], env: { AUTO_DISPATCH_MS: 200 } });
  });
  afterAll(() => shop?.stop());

  it('dispatches and then delivers a scheduled shipment on its own', async () => {
    const orderId = randomUUID();
    await shop.publish([requested(orderId), confirmed(orderId)]);

    const [scheduled] = await shop.waitForPublished('ShipmentScheduled', about(orderId));
    const [dispatched] = await shop.waitForPublished('ShipmentDispatched', about(orderId));
    const [delivered] = await shop.waitForPublished('ShipmentDelivered', about(orderId));
    expect(dispatched!.data.trackingNumber).toMatch(/^TRK-[A-Z0-9]{10}$/);
    expect(Date.parse(dispatched!.data.at) - Date.parse(scheduled!.data.at)).toBeGreaterThanOrEqual(200);
    expect(Date.parse(delivered!.data.at) - Date.parse(dispatched!.data.at)).toBeGreaterThanOrEqual(200);

    const { body } = await shop.api(`/shipments/${orderId}`);
    expect(body).toEqual({
      orderId,
      shipmentId: scheduled!.data.shipmentId,
      status: 'DELIVERED',
      address,
      trackingNumber: dispatched!.data.trackingNumber,
      scheduledAt: scheduled!.data.at,
      dispatchedAt: dispatched!.data.at,
      deliveredAt: delivered!.data.at,
    });
  });
});
