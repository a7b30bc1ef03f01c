/**
 * The stock service end to end: its HTTP API, and its answers to real orders-topic records on a
 * real Kafka broker, with its own Postgres database.
 */
import { randomUUID } from 'node:crypto';
import type { EventData, ProductUpdated } from '@webshop/events';
import { stockService } from './service';
import { uniqueName, waitFor, call, startServiceHarness, type ServiceHarness } from '@webshop/testing';

let shop: ServiceHarness;

beforeAll(async () => {
  shop = await startServiceHarness(stockService, { label: 'stock', reads: ['stock', 'products'] });
});

afterAll(async () => {
  await shop?.stop();
});

const newSku = (label = 'SKU') => `${label}-${uniqueName('').slice(1)}`.slice(0, 64);
const now = () => new Date().toISOString();

type ProductBody = ProductUpdated;

/** A product with `available` units on the shelf, through the API. */
async function stocked(available: number, label?: string): Promise<string> {
  const sku = newSku(label);
  expect((await call(shop.url(`/products/${sku}`), 'PUT', { name: `Product ${sku}`, priceCents: 450 })).status).toBe(201);
  if (available > 0) expect((await call(shop.url(`/products/${sku}/restock`), 'POST', { quantity: available })).status).toBe(200);
  return sku;
}

const levels = async (sku: string) => {
  const { body } = await call(shop.url(`/products/${sku}`), 'GET');
  const { available, reserved } = body as ProductBody;
  return { available, reserved };
};

function purchase(lines: Array<[string, number]>, orderId = randomUUID()): EventData<'PurchaseRequested'> {
  const items = lines.map(([sku, quantity]) => ({ sku, quantity, unitPriceCents: 450 }));
  return {
    orderId,
    customerId: 'ada',
    email: 'ada@example.com',
    items,
    totalCents: items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0),
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    requestedAt: now(),
  };
}

const byOrder = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;
const reservationOf = async (orderId: string) =>
  (await shop.db.pool.query<{ status: string }>('SELECT status FROM reservations WHERE order_id = $1', [orderId])).rows[0]?.status;

describe('the catalogue', () => {
  it('creates a product with PUT (201), updates it with PUT (200), and publishes each as ProductUpdated', async () => {
    const sku = newSku('TEA');
    const created = await call(shop.url(`/products/${sku}`), 'PUT', { name: 'Green tea', priceCents: 450 });
    expect(created).toEqual({
      status: 201,
      body: { sku, name: 'Green tea', priceCents: 450, available: 0, reserved: 0, updatedAt: expect.any(String) },
    });
    const [first] = await shop.waitForPublished('ProductUpdated', (d) => d.sku === sku);
    expect(first).toMatchObject({ topic: 'products', key: sku, data: { sku, name: 'Green tea', priceCents: 450, available: 0, reserved: 0 } });

    await call(shop.url(`/products/${sku}/restock`), 'POST', { quantity: 7 });
    const updated = await call(shop.url(`/products/${sku}`), 'PUT', { name: 'Sencha', priceCents: 520 });
    expect(updated).toMatchObject({ status: 200, body: { sku, name: 'Sencha', priceCents: 520, available: 7, reserved: 0 } });
    const all = await shop.waitForPublished('ProductUpdated', (d) => d.sku === sku, 3);
    expect(all.map((p) => p.data)).toEqual([
      expect.objectContaining({ name: 'Green tea', available: 0 }),
      expect.objectContaining({ name: 'Green tea', available: 7 }),
      expect.objectContaining({ name: 'Sencha', priceCents: 520, available: 7 }),
    ]);
  });

  it('restocks, answering the new level and publishing it', async () => {
    const sku = await stocked(0);
    expect(await call(shop.url(`/products/${sku}/restock`), 'POST', { quantity: 12 })).toEqual({
      status: 200,
      body: { sku, name: `Product ${sku}`, priceCents: 450, available: 12, reserved: 0 },
    });
    expect(await call(shop.url(`/products/${sku}/restock`), 'POST', { quantity: 3 })).toMatchObject({ status: 200, body: { available: 15 } });
    await shop.waitForPublished('ProductUpdated', (d) => d.sku === sku && d.available === 15);
    expect(await call(shop.url(`/products/${sku}`), 'GET')).toEqual({
      status: 200,
      body: { sku, name: `Product ${sku}`, priceCents: 450, available: 15, reserved: 0, updatedAt: expect.any(String) },
    });
  });

  it('lists every product ordered by sku', async () => {
    const b = await stocked(0, 'LIST-B');
    const a = await stocked(0, 'LIST-A');
    const { status, body } = await call(shop.url('/products'), 'GET');
    expect(status).toBe(200);
    const skus = (body as ProductBody[]).map((p) => p.sku);
    expect(skus).toEqual([...skus].sort());
    expect(skus.indexOf(a)).toBeLessThan(skus.indexOf(b));
  });
});

describe('reserving stock for a purchase', () => {
  it('holds every line and publishes StockReserved and the new levels', async () => {
    const tea = await stocked(5, 'TEA');
    const cup = await stocked(2, 'CUP');
    const order = purchase([[tea, 2], [cup, 2]]);
    const [requestId] = await shop.publish([{ type: 'PurchaseRequested', data: order }]);

    const [reserved] = await shop.waitForPublished('StockReserved', byOrder(order.orderId));
    expect(reserved).toMatchObject({ topic: 'stock', key: order.orderId, causationId: requestId });
    expect(reserved!.data).toEqual({ orderId: order.orderId, items: [{ sku: tea, quantity: 2 }, { sku: cup, quantity: 2 }], reservedAt: expect.any(String) });
    const [teaLevel] = await shop.waitForPublished('ProductUpdated', (d) => d.sku === tea && d.reserved === 2);
    const [cupLevel] = await shop.waitForPublished('ProductUpdated', (d) => d.sku === cup && d.reserved === 2);
    expect(teaLevel).toMatchObject({ key: tea, causationId: requestId, data: { available: 3, reserved: 2 } });
    expect(cupLevel).toMatchObject({ key: cup, causationId: requestId, data: { available: 0, reserved: 2 } });
    expect(await levels(tea)).toEqual({ available: 3, reserved: 2 });
    expect(await reservationOf(order.orderId)).toBe('RESERVED');
  });

  it('holds nothing when stock is short: StockUnavailable names every short line, and no level changes', async () => {
    const tea = await stocked(5, 'TEA');
    const cup = await stocked(1, 'CUP');
    const unknown = newSku('NOPE');
    await shop.waitForPublished('ProductUpdated', (d) => d.sku === cup && d.available === 1);
    const order = purchase([[tea, 2], [cup, 3], [unknown, 1]]);
    const [requestId] = await shop.publish([{ type: 'PurchaseRequested', data: order }]);

    const [unavailable] = await shop.waitForPublished('StockUnavailable', byOrder(order.orderId));
    expect(unavailable!.data.missing).toEqual([
      { sku: cup, requested: 3, available: 1 },
      { sku: unknown, requested: 1, available: 0 },
    ]);
    await shop.handled(requestId!);
    expect(await levels(tea)).toEqual({ available: 5, reserved: 0 });
    expect(await levels(cup)).toEqual({ available: 1, reserved: 0 });
    expect(await call(shop.url(`/products/${unknown}`), 'GET')).toMatchObject({ status: 404 });
    // PUT and restock only: nothing about this order touched a level.
    expect(await shop.outboxed('ProductUpdated', tea)).toBe(2);
    expect(await reservationOf(order.orderId)).toBe('UNAVAILABLE');
  });

  it('sells the held units when the order is confirmed', async () => {
    const tea = await stocked(5, 'TEA');
    const order = purchase([[tea, 2]]);
    await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    await shop.waitForPublished('StockReserved', byOrder(order.orderId));
    await shop.publish([{ type: 'OrderConfirmed', data: { orderId: order.orderId, paymentId: randomUUID(), confirmedAt: now() } }]);
    await shop.waitForPublished('ProductUpdated', (d) => d.sku === tea && d.available === 3 && d.reserved === 0);
    expect(await levels(tea)).toEqual({ available: 3, reserved: 0 });
    expect(await reservationOf(order.orderId)).toBe('COMMITTED');
  });
});

describe('releasing a reservation', () => {
  it('puts held units back once when the order is rejected, however often that is delivered', async () => {
    const tea = await stocked(5, 'TEA');
    const order = purchase([[tea, 4]]);
    await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    await shop.waitForPublished('StockReserved', byOrder(order.orderId));
    expect(await levels(tea)).toEqual({ available: 1, reserved: 4 });

    const rejection = { type: 'OrderRejected' as const, data: { orderId: order.orderId, reason: 'PAYMENT_DECLINED' as const, detail: 'short', rejectedAt: now() } };
    const [rejectId] = await shop.publish([rejection]);
    const [released] = await shop.waitForPublished('StockReleased', byOrder(order.orderId));
    expect(released).toMatchObject({ key: order.orderId, causationId: rejectId, data: { items: [{ sku: tea, quantity: 4 }] } });
    expect(await levels(tea)).toEqual({ available: 5, reserved: 0 });

    // The same record again, then the same rejection under a new id: neither gives anything more.
    await shop.redeliver(rejectId!);
    const [againId] = await shop.publish([rejection]);
    await shop.handled(againId!);
    expect(await shop.outboxed('StockReleased', order.orderId)).toBe(1);
    expect(await levels(tea)).toEqual({ available: 5, reserved: 0 });
    expect(await reservationOf(order.orderId)).toBe('RELEASED');
  });

  it('puts sold units back when a confirmed order is cancelled', async () => {
    const tea = await stocked(5, 'TEA');
    const order = purchase([[tea, 2]]);
    await shop.publish([
      { type: 'PurchaseRequested', data: order },
      { type: 'OrderConfirmed', data: { orderId: order.orderId, paymentId: randomUUID(), confirmedAt: now() } },
      { type: 'OrderCancelled', data: { orderId: order.orderId, reason: 'changed my mind', cancelledAt: now() } },
    ]);
    await shop.waitForPublished('StockReleased', byOrder(order.orderId));
    expect(await levels(tea)).toEqual({ available: 5, reserved: 0 });
  });

  it('gives nothing back for an order that got nothing', async () => {
    const tea = await stocked(1, 'TEA');
    const order = purchase([[tea, 2]]);
    await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    await shop.waitForPublished('StockUnavailable', byOrder(order.orderId));
    const [cancelId] = await shop.publish([{ type: 'OrderCancelled', data: { orderId: order.orderId, reason: 'r', cancelledAt: now() } }]);
    await shop.handled(cancelId!);
    expect(await shop.outboxed('StockReleased', order.orderId)).toBe(0);
    expect(await levels(tea)).toEqual({ available: 1, reserved: 0 });
  });
});

describe('concurrent orders for the last units', () => {
  it('reserves exactly 10 of 50 one-unit orders for a sku with 10 available, across two instances', async () => {
    const sku = await stocked(10, 'HOT');
    const another = await shop.startAnotherInstance();
    await waitFor(() => shop.running.consumer!.isRunning() && another.consumer!.isRunning(), { description: 'both instances consuming' });

    const orders = Array.from({ length: 50 }, () => purchase([[sku, 1]]));
    await shop.publish(orders.map((data) => ({ type: 'PurchaseRequested' as const, data })));
    const isOurs = (data: { orderId: string }) => orders.some((o) => o.orderId === data.orderId);

    const reserved = await shop.waitForPublished('StockReserved', isOurs, 10, 60_000);
    const unavailable = await shop.waitForPublished('StockUnavailable', isOurs, 40, 60_000);
    expect(reserved).toHaveLength(10);
    expect(unavailable).toHaveLength(40);
    expect(await levels(sku)).toEqual({ available: 0, reserved: 10 });
    const { rows } = await shop.db.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM reservations WHERE order_id = ANY($1::uuid[]) GROUP BY status ORDER BY status',
      [orders.map((o) => o.orderId)],
    );
    expect(rows).toEqual([
      { status: 'RESERVED', n: 10 },
      { status: 'UNAVAILABLE', n: 40 },
    ]);
    // The last level published for the sku is the true one.
    await waitFor(() => shop.published.filter((p) => p.type === 'ProductUpdated' && p.key === sku).length === 12, { description: 'every level published' });
    const last = shop.published.filter((p) => p.type === 'ProductUpdated' && p.key === sku).at(-1);
    expect(last?.data).toMatchObject({ available: 0, reserved: 10 });
  });
});

describe('bad input', () => {
  const countProducts = async () => (await shop.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM products')).rows[0]!.n;

  it.each([
    ['starts with a dash', '-TEA'],
    ['has a space', 'TEA%201'],
    ['is longer than 64 characters', 'T'.repeat(65)],
    ['has a non-ASCII letter', 'T%C3%89A'],
  ])('refuses a sku that %s with 400 validation_failed', async (_what, sku) => {
    const before = await countProducts();
    expect(await call(shop.url(`/products/${sku}`), 'PUT', { name: 'Tea', priceCents: 450 })).toMatchObject({
      status: 400,
      body: { error: 'validation_failed' },
    });
    expect(await call(shop.url(`/products/${sku}/restock`), 'POST', { quantity: 1 })).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(await call(shop.url(`/products/${sku}`), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await countProducts()).toBe(before);
  });

  it.each([
    ['an empty name', { name: '  ', priceCents: 450 }, 'name'],
    ['a name over 200 characters', { name: 'n'.repeat(201), priceCents: 450 }, 'name'],
    ['a negative price', { name: 'Tea', priceCents: -1 }, 'priceCents'],
    ['a fractional price', { name: 'Tea', priceCents: 4.5 }, 'priceCents'],
    ['a price as a string', { name: 'Tea', priceCents: '450' }, 'priceCents'],
    ['no price', { name: 'Tea' }, 'priceCents'],
    ['an unknown field', { name: 'Tea', priceCents: 450, stock: 5 }, ''],
  ])('refuses a product with %s (400 validation_failed) and creates nothing', async (_what, body, path) => {
    const sku = newSku('BAD');
    expect(await call(shop.url(`/products/${sku}`), 'PUT', body)).toMatchObject({
      status: 400,
      body: { error: 'validation_failed', details: [expect.objectContaining({ path })] },
    });
    expect(await call(shop.url(`/products/${sku}`), 'GET')).toMatchObject({ status: 404 });
  });

  it.each([
    ['zero', { quantity: 0 }],
    ['over a million', { quantity: 1_000_001 }],
    ['a fraction', { quantity: 1.5 }],
    ['missing', {}],
    ['with an unknown field', { quantity: 1, note: 'x' }],
  ])('refuses a restock quantity that is %s (400 validation_failed) and changes nothing', async (_what, body) => {
    const sku = await stocked(3);
    expect(await call(shop.url(`/products/${sku}/restock`), 'POST', body)).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(await levels(sku)).toEqual({ available: 3, reserved: 0 });
  });

  it('answers 404 not_found for restocking or reading an unknown sku, creating nothing', async () => {
    const sku = newSku('GHOST');
    expect(await call(shop.url(`/products/${sku}/restock`), 'POST', { quantity: 5 })).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call(shop.url(`/products/${sku}`), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('refuses a body that is not JSON', async () => {
    const sku = newSku('BAD');
    const res = await fetch(shop.url(`/products/${sku}`), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'validation_failed' });
    expect(await call(shop.url(`/products/${sku}`), 'PUT')).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
  });
});
