/**
 * Hostile requests to the shipping API, on real Kafka and Postgres: a string Postgres cannot store
 * is a 400 validation_failed naming it, and no request of any shape is a 5xx or moves a parcel.
 */
import { randomUUID } from 'node:crypto';
import { call, hostileRequests, sendHostileRequests, startServiceHarness, tableFingerprint, type ServiceHarness } from '@webshop/testing';
import { shippingService } from './service';

let shop: ServiceHarness;
beforeAll(async () => {
  shop = await startServiceHarness(shippingService, { label: 'ship_hostile', reads: ['shipments'] });
});
afterAll(() => shop?.stop());

const stored = () => tableFingerprint(shop.db.pool, { shipments: '*', order_addresses: '*', outbox: 'event_id' });
const refusedNaming = (field: string) => ({
  status: 400,
  body: expect.objectContaining({ error: 'validation_failed', details: expect.arrayContaining([expect.objectContaining({ path: field })]) }),
});

describe('hostile input to the shipping API', () => {
  it('refuses a NUL in the order id of every route, naming orderId; a malformed id without one stays 404', async () => {
    const before = await stored();
    expect(await call(shop.url('/shipments/a%00b'), 'GET')).toMatchObject(refusedNaming('orderId'));
    expect(await call(shop.url('/shipments/%00/dispatch'), 'POST')).toMatchObject(refusedNaming('orderId'));
    expect(await call(shop.url('/shipments/%00/deliver'), 'POST')).toMatchObject(refusedNaming('orderId'));
    expect(await call(shop.url(`/shipments/${randomUUID()}/dispatch`), 'POST', { note: 'x\u0000' })).toMatchObject(refusedNaming('note'));
    expect(await call(shop.url('/shipments/not-a-uuid'), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await stored()).toEqual(before);
  });

  it('answers a few hundred generated hostile requests without a 5xx, with the error contract, changing nothing', async () => {
    const before = await stored();
    const orderId = randomUUID();
    const requests = hostileRequests(
      [
        { method: 'GET', path: '/shipments/{orderId}', params: { orderId }, query: { x: '1' }, readOnly: true },
        { method: 'POST', path: '/shipments/{orderId}/dispatch', params: { orderId }, body: { note: 'hostile' }, readOnly: true },
        { method: 'POST', path: '/shipments/{orderId}/deliver', params: { orderId }, body: { note: 'hostile' }, readOnly: true },
      ],
      { seed: 4_242, count: 240 },
    );
    const results = await sendHostileRequests(shop.url(''), requests);
    const failures = results.filter((r) => r.status >= 500 || (r.status >= 400 && typeof (r.body as { error?: unknown })?.error !== 'string'));
    expect(failures.map((f) => ({ status: f.status, path: f.request.path.slice(0, 120), what: f.request.what, body: f.body }))).toEqual([]);
    expect(await stored()).toEqual(before);
  });
});
