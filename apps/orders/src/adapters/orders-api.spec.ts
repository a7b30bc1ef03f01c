/**
 * The orders service through its HTTP API, with real Kafka and Postgres: other services' answers
 * are published to its topics as those services would publish them.
 */
import { randomUUID } from 'node:crypto';
import { DlqHeader, encodeRecord, Header, replayTopics } from '@webshop/kafka';
import { createTestDatabase, scrapeMetrics, testKafka, waitFor } from '@webshop/testing';
import { metricNames } from '@webshop/service-kit';
import { migrate } from '@webshop/postgres';
import { messagingMigrations } from '@webshop/kafka';
import {
  http,
  orderBody,
  paymentDeclined,
  paymentProcessed,
  product,
  startOrders,
  shipmentCancelled,
  shipmentDispatched,
  stockReserved,
  stockUnavailable,
  CANCEL_WAIT_MS,
  type OrdersHarness,
} from '../testing/harness';
import { consumedTopics, orderEventHandlers } from './kafka/handlers';
import { migrations } from './pg/migrations';

describe('the orders API', () => {
  let h: OrdersHarness;

  beforeAll(async () => {
    h = await startOrders();
    await h.publish([product('TEA-1', 450), product('CUP-2', 1200)]);
    await waitFor(async () => (await h.db.pool.query('SELECT count(*)::int AS n FROM catalogue')).rows[0].n === 2, {
      description: 'the catalogue copy filled from the products topic',
    });
  }, 60_000);
  afterAll(() => h.stop());

  const place = async (body = orderBody(), headers: Record<string, string> = {}) => {
    const res = await http(h.base, 'POST', '/orders', body, headers);
    expect(res.status).toBe(202);
    return res.body as { orderId: string; status: string; totalCents: number; items: Array<{ sku: string; quantity: number; unitPriceCents: number }> };
  };
  const counts = async () => {
    const { rows } = await h.db.pool.query('SELECT (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM outbox)::int AS outbox');
    return rows[0] as { orders: number; outbox: number };
  };

  it('accepts an order at once, priced from its catalogue copy, and publishes PurchaseRequested through the outbox', async () => {
    const res = await http(h.base, 'POST', '/orders', orderBody({ items: [{ sku: 'TEA-1', quantity: 2 }, { sku: 'CUP-2', quantity: 1 }] }));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'PENDING',
      totalCents: 2100,
      items: [
        { sku: 'TEA-1', quantity: 2, unitPriceCents: 450 },
        { sku: 'CUP-2', quantity: 1, unitPriceCents: 1200 },
      ],
    });
    expect(res.headers.get('location')).toBe(`/orders/${res.body.orderId}`);
    const view = await http(h.base, 'GET', `/orders/${res.body.orderId}`);
    expect(view.body).toMatchObject({ orderId: res.body.orderId, status: 'PENDING', customerId: 'ada', totalCents: 2100 });
    expect(view.body.rejectionReason).toBeUndefined();
    await waitFor(async () => (await h.db.pool.query('SELECT count(*)::int AS n FROM outbox WHERE key = $1 AND published_at IS NOT NULL', [res.body.orderId])).rows[0].n === 1, {
      description: 'PurchaseRequested published',
    });
  });

  it('confirms when payment and stock both succeed, in either order, and the blocking read wakes up', async () => {
    for (const answersInOrder of [(o: never) => [paymentProcessed(o), stockReserved(o)], (o: never) => [stockReserved(o), paymentProcessed(o)]]) {
      const order = await place();
      const waiting = http(h.base, 'GET', `/orders/${order.orderId}?until=CONFIRMED,REJECTED&timeoutMs=20000`);
      const [first, second] = answersInOrder(order as never);
      await h.publish([first!]);
      await h.publish([second!]);
      const res = await waiting;
      expect(res.status).toBe(200);
      expect(res.headers.get('x-wait-timed-out')).toBeNull();
      expect(res.body.status).toBe('CONFIRMED');
    }
  });

  it('rejects with OUT_OF_STOCK or PAYMENT_DECLINED and says why', async () => {
    const short = await place();
    await h.publish([stockUnavailable(short)]);
    const rejected = await http(h.base, 'GET', `/orders/${short.orderId}?until=REJECTED&timeoutMs=20000`);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' });

    const broke = await place();
    await h.publish([stockReserved(broke)]);
    await h.publish([paymentDeclined(broke)]);
    const declined = await http(h.base, 'GET', `/orders/${broke.orderId}?until=REJECTED&timeoutMs=20000`);
    expect(declined.body).toMatchObject({ status: 'REJECTED', rejectionReason: 'PAYMENT_DECLINED' });
  });

  it('answers the current view with X-Wait-Timed-Out when the status does not come in time', async () => {
    const order = await place();
    const res = await http(h.base, 'GET', `/orders/${order.orderId}?until=DELIVERED&timeoutMs=300`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-wait-timed-out')).toBe('true');
    expect(res.body.status).toBe('PENDING');
  });

  it('answers a repeated Idempotency-Key with the first order and publishes nothing new; a different body is 409', async () => {
    const key = `key-${Date.now()}`;
    const first = await place(orderBody(), { 'Idempotency-Key': key });
    const before = await counts();
    const again = await place(orderBody(), { 'Idempotency-Key': key });
    expect(again.orderId).toBe(first.orderId);
    expect(await counts()).toEqual(before);

    const conflict = await http(h.base, 'POST', '/orders', orderBody({ customerId: 'bob' }), { 'Idempotency-Key': key });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('idempotency_key_reused');
    expect(await counts()).toEqual(before);
  });

  it('refuses bad input with the status and code of the contract, creating and publishing nothing', async () => {
    const before = await counts();
    const malformed = await http(h.base, 'POST', '/orders', '{"customerId": ');
    expect([malformed.status, malformed.body.error]).toEqual([400, 'validation_failed']);

    const invalid = await http(h.base, 'POST', '/orders', orderBody({ email: 'not-an-email', items: [{ sku: 'TEA-1', quantity: 0 }] }));
    expect([invalid.status, invalid.body.error]).toEqual([400, 'validation_failed']);
    expect(invalid.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'items.0.quantity']);

    const unknown = await http(h.base, 'POST', '/orders', orderBody({ items: [{ sku: 'NOPE-9', quantity: 1 }] }));
    expect([unknown.status, unknown.body.error]).toEqual([422, 'unknown_sku']);
    expect(unknown.body.details).toEqual([{ path: 'items.0.sku', message: 'no product with sku NOPE-9' }]);

    const huge = await http(h.base, 'POST', '/orders', orderBody({ customerId: 'x'.repeat(70 * 1024) }));
    expect(huge.status).toBe(413);

    const missing = await http(h.base, 'GET', '/orders/00000000-0000-4000-8000-000000000000');
    expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
    expect((await http(h.base, 'GET', '/orders/not-a-uuid')).status).toBe(404);
    expect((await http(h.base, 'POST', '/orders/00000000-0000-4000-8000-000000000000/cancel')).status).toBe(404);
    expect((await http(h.base, 'GET', '/orders?status=LOST')).status).toBe(400);
    expect((await http(h.base, 'GET', '/orders?cursor=garbage')).status).toBe(400);

    expect(await counts()).toEqual(before);
  });

  const confirmedOrder = async () => {
    const order = await place();
    await h.publish([paymentProcessed(order), stockReserved(order)]);
    const confirmed = await http(h.base, 'GET', `/orders/${order.orderId}?until=CONFIRMED&timeoutMs=20000`);
    expect(confirmed.body.status).toBe('CONFIRMED');
    return order;
  };
  /** POST cancel, and once the request is on the orders topic (where shipping reads it), `answer` as shipping. */
  const cancelAnsweredBy = async (order: { orderId: string }, answer: () => Promise<void>) => {
    const cancel = http(h.base, 'POST', `/orders/${order.orderId}/cancel`, { reason: 'changed my mind' });
    await waitFor(
      async () => (await http(h.base, 'GET', `/orders/${order.orderId}/timeline`)).body.some((e: { type: string }) => e.type === 'OrderCancellationRequested'),
      { description: 'the cancellation request on the orders topic' },
    );
    await answer();
    return cancel;
  };

  it('cancels a pending order at once; a second cancel is 409 not_cancellable', async () => {
    const order = await place();
    const cancelled = await http(h.base, 'POST', `/orders/${order.orderId}/cancel`, {});
    expect(cancelled.status).toBe(202);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(await h.outboxed('OrderCancellationRequested', order.orderId)).toBe(0);
    expect(await h.outboxed('OrderCancelled', order.orderId)).toBe(1);
    const again = await http(h.base, 'POST', `/orders/${order.orderId}/cancel`, {});
    expect([again.status, again.body.error]).toEqual([409, 'not_cancellable']);
  });

  it('cancels a confirmed order once shipping answers that its shipment is cancelled', async () => {
    const order = await confirmedOrder();
    const cancelled = await cancelAnsweredBy(order, () => h.publish([shipmentCancelled(order)]));
    expect([cancelled.status, cancelled.body.status]).toEqual([202, 'CANCELLED']);
    expect(cancelled.body.cancellationRequestedAt).toEqual(expect.any(String));
    expect(await h.outboxed('OrderCancelled', order.orderId)).toBe(1);
    const again = await http(h.base, 'POST', `/orders/${order.orderId}/cancel`, {});
    expect([again.status, again.body.error]).toEqual([409, 'not_cancellable']);
  });

  it('refuses with 409 when shipping dispatched the parcel before the cancellation reached it', async () => {
    const order = await confirmedOrder();
    const refused = await cancelAnsweredBy(order, () => h.publish([shipmentDispatched(order)]));
    expect([refused.status, refused.body.error]).toEqual([409, 'not_cancellable']);
    expect((await http(h.base, 'GET', `/orders/${order.orderId}`)).body.status).toBe('SHIPPED');
    expect(await h.outboxed('OrderCancelled', order.orderId)).toBe(0);
  });

  it('answers 202 with the cancellation open when shipping is slow, asks only once, and cancels when the answer comes', async () => {
    const order = await confirmedOrder();
    const started = Date.now();
    const open = await http(h.base, 'POST', `/orders/${order.orderId}/cancel`, {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(CANCEL_WAIT_MS - 50); // it did wait for the answer
    expect([open.status, open.body.status, open.body.cancellationRequestedAt]).toEqual([202, 'CONFIRMED', expect.any(String)]);
    const second = await cancelAnsweredBy(order, () => h.publish([shipmentCancelled(order)]));
    expect({ status: second.status, body: second.body }).toMatchObject({ status: 202, body: { status: 'CANCELLED' } });
    expect(await h.outboxed('OrderCancellationRequested', order.orderId)).toBe(1);
    expect(await h.outboxed('OrderCancelled', order.orderId)).toBe(1);
  }, 30_000);

  it('lists a customer\'s orders newest first, page by page', async () => {
    const customerId = `pager-${Date.now()}`;
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push((await place(orderBody({ customerId }))).orderId);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Array<{ orderId: string }>; nextCursor: string | null } } = await http(
        h.base,
        'GET',
        `/orders?customerId=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((o) => o.orderId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...placed].reverse());
    const pending = await http(h.base, 'GET', `/orders?customerId=${customerId}&status=PENDING`);
    expect(pending.body.items).toHaveLength(5);
  });

  it('tells the story of an order in its timeline and as Server-Sent Events, resuming after Last-Event-ID', async () => {
    const order = await place();
    await h.publish([paymentProcessed(order)]);
    await h.publish([stockReserved(order)]);
    await http(h.base, 'GET', `/orders/${order.orderId}?until=CONFIRMED&timeoutMs=20000`);
    const timeline = await waitFor(async () => {
      const res = await http(h.base, 'GET', `/orders/${order.orderId}/timeline`);
      return res.body.length === 4 ? res.body : undefined;
    }, { description: 'four events in the timeline' });
    expect(timeline.map((e: { type: string }) => e.type).sort()).toEqual(['OrderConfirmed', 'PaymentProcessed', 'PurchaseRequested', 'StockReserved']);
    expect(timeline[0]).toEqual({
      eventId: expect.any(String),
      type: 'PurchaseRequested',
      topic: `${h.prefix}orders`,
      partition: expect.any(Number),
      offset: expect.any(Number),
      occurredAt: expect.any(String),
      producer: 'orders',
      data: expect.objectContaining({ orderId: order.orderId }),
    });

    // The stream: everything so far, then live until the order is final (cancel makes it final).
    const events = await readEvents(`${h.base}/orders/${order.orderId}/updates`, {}, async () => {
      await cancelAnsweredBy(order, () => h.publish([shipmentCancelled(order)]));
    });
    const cancellation = ['OrderCancellationRequested', 'ShipmentCancelled', 'OrderCancelled'];
    // The stream sends entries in the order they were committed: the first four as in the timeline
    // (which is in occurred-at order) but possibly not in the same order, then the cancellation.
    expect(events.slice(0, 4).map((e) => e.event).sort()).toEqual(timeline.map((e: { type: string }) => e.type).sort());
    expect(events.slice(4).map((e) => e.event)).toEqual([...cancellation, 'end']);
    const resumed = await readEvents(`${h.base}/orders/${order.orderId}/updates`, { 'Last-Event-ID': events[3]!.id! });
    expect(resumed.map((e) => e.event)).toEqual([...cancellation, 'end']);
  });

  it('creates no order from a PurchaseRequested a stranger, or payment, wrote to the orders topic, and dead-letters it as foreign_writer', async () => {
    const before = await counts();
    const forged = ['stranger', 'payment'].map((producer) => {
      const orderId = randomUUID();
      const record = encodeRecord(
        {
          type: 'PurchaseRequested',
          data: {
            orderId,
            customerId: 'mallory',
            email: 'mallory@example.com',
            items: [{ sku: 'TEA-1', quantity: 1, unitPriceCents: 1 }],
            totalCents: 1,
            shippingAddress: orderBody().shippingAddress,
            requestedAt: new Date().toISOString(),
          },
        },
        'orders',
      );
      return { orderId, record: { ...record, topic: 'orders' as const, headers: { ...record.headers, [Header.producer]: producer } } };
    });
    await h.publishRaw(forged.map((f) => f.record));

    const dead = await h.deadLetters('orders', 2);
    for (const { orderId, record } of forged) {
      const letter = dead.find((m) => m.headers![Header.eventId]!.toString() === record.eventId);
      expect(letter?.headers![DlqHeader.reason]!.toString()).toBe('foreign_writer');
      expect((await http(h.base, 'GET', `/orders/${orderId}`)).status).toBe(404);
      const { rows } = await h.db.pool.query(
        `SELECT (SELECT count(*) FROM timeline WHERE order_id = $1)::int AS timeline, (SELECT count(*) FROM inbox WHERE event_id = $2)::int AS inbox`,
        [orderId, record.eventId],
      );
      expect(rows[0]).toEqual({ timeline: 0, inbox: 0 });
    }
    expect(await counts()).toEqual(before);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await http(h.base, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await http(h.base, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([['lifecycle', true], ['postgres', true], ['kafka', true]]);
    const res = await fetch(`${h.base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    await waitFor(async () => (await h.service.relay.backlog()) === 0, { description: 'the outbox drained' });
    const m = await scrapeMetrics(h.base);

    // Prometheus' naming: the project's families under one prefix, beside prom-client's standard ones.
    const own = [...m.families.keys()].filter((name) => !/^(process|nodejs)_/.test(name));
    expect(own.filter((name) => !name.startsWith('webshop_'))).toEqual([]);
    expect(own).toEqual(expect.arrayContaining(Object.values(metricNames)));
    expect(m.samples.every((s) => s.labels['service'] === 'orders')).toBe(true);

    expect(m.find('webshop_http_request_duration_seconds_count', { method: 'GET', route: '/orders/:orderId', code: '200' })).toHaveLength(1);
    expect(m.find('webshop_http_request_duration_seconds_count', { route: '/orders/:orderId', code: '404' })).toHaveLength(1);
    expect(m.find('webshop_http_request_duration_seconds_count').some((s) => 'status' in s.labels)).toBe(false);

    // Each applied event is observed once in the handler's histogram and once in the event-age one.
    const applied = m.sum('webshop_events_consumed_total', { type: 'PurchaseRequested', outcome: 'applied' });
    expect(applied).toBeGreaterThan(0);
    expect(m.sum('webshop_event_handler_duration_seconds_count', { type: 'PurchaseRequested' })).toBe(applied);
    expect(m.sum('webshop_event_age_seconds_count', { type: 'PurchaseRequested' })).toBe(applied);
    expect(m.find('webshop_event_handler_duration_seconds_bucket', { type: 'PurchaseRequested', le: '0.0001' })).toHaveLength(1); // sub-millisecond buckets

    const published = m.sum('webshop_events_published_total');
    expect(m.sum('webshop_events_published_total', { type: 'PurchaseRequested' })).toBeGreaterThan(0);
    const publishes = m.sum('webshop_relay_publish_duration_seconds_count');
    expect(publishes).toBeGreaterThan(0);
    expect(publishes).toBeLessThanOrEqual(published); // a batch at a time
    expect(m.sum('webshop_outbox_pending_events')).toBe(0);
    expect(m.sum('webshop_outbox_oldest_pending_age_seconds')).toBe(0);
    expect(m.find('webshop_consumer_lag_records').map((s) => s.labels['topic'])).toContain(`${h.prefix}orders`);
    expect(m.families.get('webshop_kafka_client_errors_total')).toBe('counter');
    expect(m.families.get('webshop_relay_publish_errors_total')).toBe('counter');
  });

  it('rebuilds the same order view, timeline and catalogue by replaying the topics into empty tables', async () => {
    await waitFor(async () => (await h.service.relay.backlog()) === 0);
    const fresh = await createTestDatabase('orders_replay');
    try {
      await migrate(fresh.pool, [...messagingMigrations, ...migrations]);
      await replayTopics({
        kafka: testKafka('orders-replay'),
        pool: fresh.pool,
        service: 'orders',
        topics: consumedTopics,
        topicPrefix: h.prefix,
        handlers: orderEventHandlers('replay'),
      });
      const snapshot = async (pool: typeof fresh.pool) => ({
        orders: (await pool.query('SELECT * FROM orders ORDER BY order_id')).rows,
        timeline: (await pool.query('SELECT event_id, order_id, type, topic, partition, "offset", occurred_at, producer, data FROM timeline ORDER BY event_id')).rows,
        catalogue: (await pool.query('SELECT * FROM catalogue ORDER BY sku')).rows,
      });
      const original = await snapshot(h.db.pool);
      expect(original.orders.length).toBeGreaterThan(10);
      expect(await snapshot(fresh.pool)).toEqual(original);
    } finally {
      await fresh.drop();
    }
  });
});

/** Reads a Server-Sent Events stream until the server closes it; `whileOpen` runs once it is open. */
async function readEvents(url: string, headers: Record<string, string>, whileOpen?: () => Promise<void>) {
  const response = await fetch(url, { headers });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: Array<{ id?: string; event?: string; data?: string }> = [];
  let opened = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event: { id?: string; event?: string; data?: string } = {};
      for (const line of block.split('\n')) {
        const [field, ...rest] = line.split(': ');
        if (field === 'id' || field === 'event' || field === 'data') event[field] = rest.join(': ');
      }
      if (event.event) events.push(event);
    }
    if (!opened && whileOpen) {
      opened = true;
      await whileOpen();
    }
  }
  return events;
}
