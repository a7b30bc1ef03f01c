/**
 * Hostile requests to the stock API, on real Kafka and Postgres: a string Postgres cannot store is
 * a 400 validation_failed naming it, a price no order total could hold is refused, and no request
 * of any shape is a 5xx or changes the catalogue.
 */
import { call, hostileRequests, sendHostileRequests, startServiceHarness, tableFingerprint, unstorableVariants, type ServiceHarness } from '@webshop/testing';
import { stockService } from './service';

let shop: ServiceHarness;
beforeAll(async () => {
  shop = await startServiceHarness(stockService, { label: 'stock_hostile', reads: ['stock', 'products'] });
  expect((await call(shop.url('/products/TEA-1'), 'PUT', { name: 'Tea', priceCents: 450 })).status).toBe(201);
});
afterAll(() => shop?.stop());

const stored = () => tableFingerprint(shop.db.pool, { products: '*', reservations: '*', outbox: 'event_id' });
const refusedNaming = (field: string) => ({
  status: 400,
  body: expect.objectContaining({ error: 'validation_failed', details: expect.arrayContaining([expect.objectContaining({ path: field })]) }),
});

describe('hostile input to the stock API', () => {
  it('refuses a NUL in a product name or sku, naming the field, and changes nothing', async () => {
    const before = await stored();
    for (const variant of unstorableVariants({ name: 'Green tea', priceCents: 450 })) {
      expect(await call(shop.url('/products/TEA-1'), 'PUT', variant.body)).toMatchObject(refusedNaming(variant.field));
      expect(await call(shop.url('/products/NEW-1'), 'PUT', variant.body)).toMatchObject(refusedNaming(variant.field));
    }
    expect(await call(shop.url('/products/X%00Y'), 'PUT', { name: 'Tea', priceCents: 1 })).toMatchObject(refusedNaming('sku'));
    expect(await call(shop.url('/products/X%00Y/restock'), 'POST', { quantity: 1 })).toMatchObject(refusedNaming('sku'));
    expect(await call(shop.url('/products/X%00Y'), 'GET')).toMatchObject(refusedNaming('sku'));
    expect(await call(shop.url('/products?x=%00'), 'GET')).toMatchObject(refusedNaming('query.x'));
    expect(await stored()).toEqual(before);
  });

  it('refuses a price beyond what an order of it could add up to, with 400 not 500', async () => {
    const before = await stored();
    for (const priceCents of [100_000_000_01, Number.MAX_SAFE_INTEGER, 2 ** 63]) {
      expect(await call(shop.url('/products/TEA-1'), 'PUT', { name: 'Tea', priceCents })).toMatchObject(refusedNaming('priceCents'));
    }
    expect(await call(shop.url('/products/TEA-1'), 'PUT', '{"name":"Tea","priceCents":1e400}')).toMatchObject(refusedNaming('priceCents'));
    expect(await stored()).toEqual(before);
    expect(await call(shop.url('/products/TEA-1'), 'PUT', { name: 'Tea', priceCents: 100_000_000_00 })).toMatchObject({ status: 200 });
    expect(await call(shop.url('/products/TEA-1'), 'PUT', { name: 'Tea', priceCents: 450 })).toMatchObject({ status: 200 });
  });

  it('answers a few hundred generated hostile requests without a 5xx, with the error contract, changing nothing', async () => {
    const before = await stored();
    const requests = hostileRequests(
      [
        { method: 'PUT', path: '/products/{sku}', params: { sku: 'TEA-1' }, body: { name: 'Green tea', priceCents: 450 } },
        { method: 'PUT', path: '/products/{sku}', params: { sku: 'NEW-2' }, body: { name: 'New tea', priceCents: 99 } },
        { method: 'POST', path: '/products/{sku}/restock', params: { sku: 'TEA-1' }, body: { quantity: 5 } },
        { method: 'GET', path: '/products/{sku}', params: { sku: 'TEA-1' }, readOnly: true },
        { method: 'GET', path: '/products', query: { limit: '10' }, readOnly: true },
      ],
      { seed: 31_337, count: 300 },
    );
    const results = await sendHostileRequests(shop.url(''), requests);
    const failures = results.filter((r) => r.status >= 500 || (r.status >= 400 && typeof (r.body as { error?: unknown })?.error !== 'string'));
    expect(failures.map((f) => ({ status: f.status, method: f.request.method, path: f.request.path.slice(0, 120), what: f.request.what, body: f.body }))).toEqual([]);
    for (const r of results.filter((r) => r.request.method !== 'GET')) expect([400, 404, 413]).toContain(r.status);
    expect(await stored()).toEqual(before);
  });
});
