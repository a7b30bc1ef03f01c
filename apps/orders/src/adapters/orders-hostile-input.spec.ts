/**
 * Hostile requests to the orders API, on real Kafka and Postgres: a string Postgres cannot store
 * (a NUL, an unpaired surrogate) in any field, path parameter, query value or header is a 400
 * validation_failed naming it, and no request of any shape is a 5xx or changes what orders stores.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { hostileRequests, sendHostileRequests, tableFingerprint, unstorableVariants, waitFor, type FuzzEndpoint } from '@webshop/testing';
import { http, orderBody, product, startOrders, type OrdersHarness } from '../testing/harness';

describe('hostile input to the orders API', () => {
  let h: OrdersHarness;
  let orderId: string;
  const stored = () =>
    tableFingerprint(h.db.pool, { orders: '*', idempotency_keys: '*', catalogue: '*', outbox: 'event_id, event_type, key' });

  beforeAll(async () => {
    h = await startOrders();
    await h.publish([product('TEA-1', 450)]);
    await waitFor(async () => (await h.db.pool.query('SELECT count(*)::int AS n FROM catalogue')).rows[0].n === 1, { description: 'the catalogue copy' });
    const placed = await http(h.base, 'POST', '/orders', orderBody());
    expect(placed.status).toBe(202);
    orderId = placed.body.orderId;
    await waitFor(async () => (await http(h.base, 'GET', `/orders/${orderId}/timeline`)).body.length > 0, { description: 'the order in its timeline' });
  }, 60_000);
  afterAll(() => h.stop());

  const refusedNaming = (field: string) => ({
    status: 400,
    body: expect.objectContaining({ error: 'validation_failed', details: expect.arrayContaining([expect.objectContaining({ path: field })]) }),
  });

  it('refuses a NUL or an unpaired surrogate in every string of an order, naming the field, and stores nothing', async () => {
    const before = await stored();
    const variants = unstorableVariants(orderBody({ items: [{ sku: 'TEA-1', quantity: 1 }] }));
    expect(variants.map((v) => v.field)).toEqual(expect.arrayContaining(['customerId', 'email', 'items.0.sku', 'shippingAddress.name', 'shippingAddress.line1', 'shippingAddress.city', 'shippingAddress.postalCode', 'shippingAddress.country']));
    for (const variant of variants) {
      const res = await http(h.base, 'POST', '/orders', variant.body, { 'Idempotency-Key': `k-${randomUUID()}` });
      expect({ field: variant.field, what: variant.what, ...res }).toMatchObject({ field: variant.field, what: variant.what, ...refusedNaming(variant.field) });
    }
    expect(await stored()).toEqual(before);
  });

  it('refuses a NUL in a path parameter, a query value and a cancellation reason, naming it', async () => {
    const before = await stored();
    expect(await http(h.base, 'GET', '/orders/a%00b')).toMatchObject(refusedNaming('orderId'));
    expect(await http(h.base, 'GET', `/orders/${orderId}%00/timeline`)).toMatchObject(refusedNaming('orderId'));
    expect(await http(h.base, 'POST', '/orders/%00/cancel', {})).toMatchObject(refusedNaming('orderId'));
    expect(await http(h.base, 'GET', '/orders?customerId=ada%00')).toMatchObject(refusedNaming('query.customerId'));
    expect(await http(h.base, 'GET', '/orders?customerId=ada&customerId=%00')).toMatchObject(refusedNaming('query.customerId.1'));
    expect(await http(h.base, 'GET', '/orders?cursor=%00')).toMatchObject(refusedNaming('query.cursor'));
    expect(await http(h.base, 'GET', `/orders/${orderId}?until=CONFIRMED%00`)).toMatchObject(refusedNaming('query.until'));
    expect(await http(h.base, 'POST', `/orders/${orderId}/cancel`, { reason: 'no\u0000' })).toMatchObject(refusedNaming('reason'));
    expect(await http(h.base, 'POST', `/orders/${orderId}/cancel`, { reason: '\ud800' })).toMatchObject(refusedNaming('reason'));
    expect(await stored()).toEqual(before);
  });

  it('refuses a NUL in the Idempotency-Key header: Node answers 400 before the service reads it, and nothing is stored', async () => {
    const before = await stored();
    const body = JSON.stringify(orderBody());
    const url = new URL(h.base);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(`POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k\u0000y\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      });
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await stored()).toEqual(before);
  });

  it('answers a cursor Date.parse takes but Postgres does not 400, never 500', async () => {
    for (const createdAt of ['1', '-000001-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', 'Tue Mar 01 2022', '0000-01-01T00:00:00.000Z', 5]) {
      const cursor = Buffer.from(JSON.stringify([createdAt, orderId])).toString('base64url');
      expect(await http(h.base, 'GET', `/orders?cursor=${cursor}`)).toMatchObject(refusedNaming('cursor'));
    }
  });

  it('keeps a cut cancellation reason whole: 500 characters never end in half an emoji', async () => {
    const placed = await http(h.base, 'POST', '/orders', orderBody());
    const reason = `${'x'.repeat(499)}😀 and more`;
    const res = await http(h.base, 'POST', `/orders/${placed.body.orderId}/cancel`, { reason });
    expect(res.status).toBe(202);
    const timeline = await waitFor(
      async () => {
        const entries = (await http(h.base, 'GET', `/orders/${placed.body.orderId}/timeline`)).body as Array<{ type: string; data: { reason?: string } }>;
        return entries.find((e) => e.type === 'OrderCancelled');
      },
      { description: 'OrderCancelled in the timeline' },
    );
    expect(timeline.data.reason).toBe('x'.repeat(499)); // not 'x…x\uFFFD', which is what half an emoji becomes
  });

  it('answers a few hundred generated hostile requests without a 5xx, with the error contract, changing nothing', async () => {
    const endpoints: FuzzEndpoint[] = [
      { method: 'POST', path: '/orders', body: orderBody({ items: [{ sku: 'TEA-1', quantity: 1 }] }), headers: { 'idempotency-key': 'fuzz-key-1' } },
      { method: 'GET', path: '/orders', query: { customerId: 'ada', status: 'PENDING', limit: '5' }, readOnly: true },
      { method: 'GET', path: '/orders/{orderId}', params: { orderId }, query: { until: 'CONFIRMED', timeoutMs: '0' }, readOnly: true },
      { method: 'GET', path: '/orders/{orderId}/timeline', params: { orderId }, readOnly: true },
      { method: 'GET', path: '/orders/{orderId}/updates', params: { orderId: randomUUID() }, readOnly: true },
      { method: 'POST', path: '/orders/{orderId}/cancel', params: { orderId: randomUUID() }, body: { reason: 'changed my mind' }, readOnly: true },
    ];
    const before = await stored();
    const results = await sendHostileRequests(h.base, hostileRequests(endpoints, { seed: 20240601, count: 360 }));
    const failures = results.filter((r) => r.status >= 500 || (r.status >= 400 && typeof (r.body as { error?: unknown })?.error !== 'string'));
    expect(failures.map((f) => ({ status: f.status, method: f.request.method, path: f.request.path.slice(0, 120), what: f.request.what, body: f.body }))).toEqual([]);
    // Every write was broken in some way it must refuse.
    for (const r of results.filter((r) => r.request.method === 'POST' && r.request.path === '/orders')) expect([400, 413]).toContain(r.status);
    expect(await stored()).toEqual(before);
  });
});
