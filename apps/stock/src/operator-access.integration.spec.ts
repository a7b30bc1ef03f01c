/**
 * Operator access to the stock API on real Kafka and Postgres: a product change and a restock need
 * the operator's Bearer token (401 unauthorized without one, 403 forbidden with a wrong one), and a
 * refused one changes no level, no price, and publishes no ProductUpdated; the catalogue's reads need none.
 */
import { call, startServiceHarness, tableFingerprint, testOperatorToken, uniqueName, type ServiceHarness } from '@webshop/testing';
import { stockService } from './service';

let shop: ServiceHarness;
beforeAll(async () => {
  shop = await startServiceHarness(stockService, { label: 'stock_auth', reads: ['products'] });
});
afterAll(() => shop?.stop());

const stored = () => tableFingerprint(shop.db.pool, { products: '*', outbox: 'event_id' });
const sku = () => uniqueName('TEA').toUpperCase().replace(/_/g, '-').slice(0, 40);
const asCustomer = { token: null };

describe('the operator operations of stock', () => {
  it.each([
    ['no token', 401, 'unauthorized', null],
    ['a wrong token', 403, 'forbidden', 'a-token-the-operator-never-gave'],
  ] as const)('with %s: restock and product change refused %i %s, nothing changed, nothing published', async (_what, status, code, token) => {
    const product = sku();
    expect((await call(shop.url(`/products/${product}`), 'PUT', { name: 'Assam', priceCents: 450 })).status).toBe(201);
    expect((await call(shop.url(`/products/${product}/restock`), 'POST', { quantity: 5 })).status).toBe(200);
    await shop.waitForPublished('ProductUpdated', (d) => d.sku === product, 2);
    const before = await stored();

    expect(await call(shop.url(`/products/${product}/restock`), 'POST', { quantity: 1_000 }, { token })).toMatchObject({ status, body: { error: code } });
    expect(await call(shop.url(`/products/${product}`), 'PUT', { name: 'Free tea', priceCents: 1 }, { token })).toMatchObject({ status, body: { error: code } });
    expect(await call(shop.url(`/products/${uniqueName('NEW').toUpperCase().replace(/_/g, '-')}`), 'PUT', { name: 'Smuggled', priceCents: 1 }, { token })).toMatchObject({ status, body: { error: code } });

    expect(await stored()).toEqual(before);
    expect(await call(shop.url(`/products/${product}`), 'GET', undefined, asCustomer)).toMatchObject({ status: 200, body: { sku: product, name: 'Assam', priceCents: 450, available: 5 } });
  });

  it('with the operator token: restock and product change are done', async () => {
    const product = sku();
    expect((await call(shop.url(`/products/${product}`), 'PUT', { name: 'Assam', priceCents: 450 }, { token: testOperatorToken })).status).toBe(201);
    expect(await call(shop.url(`/products/${product}/restock`), 'POST', { quantity: 7 }, { token: testOperatorToken })).toMatchObject({ status: 200, body: { available: 7 } });
  });

  it("the catalogue's reads need no token", async () => {
    const answer = await call(shop.url('/products'), 'GET', undefined, asCustomer);
    expect(answer.status).toBe(200);
    expect(Array.isArray(answer.body)).toBe(true);
  });
});
