/**
 * Hostile requests to the payment API, on real Kafka and Postgres: a string Postgres cannot store
 * is a 400 validation_failed naming it, and no request of any shape is a 5xx or moves money.
 */
import { randomUUID } from 'node:crypto';
import { call, hostileRequests, sendHostileRequests, startServiceHarness, tableFingerprint, unstorableVariants, type ServiceHarness } from '@webshop/testing';
import { paymentService } from './service';

let shop: ServiceHarness;
beforeAll(async () => {
  shop = await startServiceHarness(paymentService, { label: 'pay_hostile', reads: ['payments'] });
  expect((await call(shop.url('/accounts/ada/deposits'), 'POST', { amountCents: 5_000 })).status).toBe(200);
});
afterAll(() => shop?.stop());

const stored = () => tableFingerprint(shop.db.pool, { accounts: '*', deposits: '*', payments: '*', outbox: 'event_id' });
const refusedNaming = (field: string) => ({
  status: 400,
  body: expect.objectContaining({ error: 'validation_failed', details: expect.arrayContaining([expect.objectContaining({ path: field })]) }),
});

describe('hostile input to the payment API', () => {
  it('refuses a NUL in the account id of a deposit, or of a look-up, naming customerId, and opens no account', async () => {
    const before = await stored();
    expect(await call(shop.url('/accounts/a%00b/deposits'), 'POST', { amountCents: 100 })).toMatchObject(refusedNaming('customerId'));
    expect(await call(shop.url('/accounts/%00/deposits'), 'POST', { amountCents: 100 })).toMatchObject(refusedNaming('customerId'));
    expect(await call(shop.url('/accounts/a%00b'), 'GET')).toMatchObject(refusedNaming('customerId'));
    expect(await call(shop.url('/payments/%00'), 'GET')).toMatchObject(refusedNaming('orderId'));
    expect(await call(shop.url('/accounts/ada/deposits?x=%00'), 'POST', { amountCents: 100 })).toMatchObject(refusedNaming('query.x'));
    for (const variant of unstorableVariants({ amountCents: 100, note: 'x' })) {
      expect(await call(shop.url('/accounts/ada/deposits'), 'POST', variant.body)).toMatchObject(refusedNaming(variant.field));
    }
    expect(await stored()).toEqual(before);
  });

  it('answers a few hundred generated hostile requests without a 5xx, with the error contract, moving no money', async () => {
    const before = await stored();
    const requests = hostileRequests(
      [
        { method: 'POST', path: '/accounts/{customerId}/deposits', params: { customerId: 'ada' }, body: { amountCents: 100 } },
        { method: 'POST', path: '/accounts/{customerId}/deposits', params: { customerId: `new-${randomUUID()}` }, body: { amountCents: 100 } },
        { method: 'GET', path: '/accounts/{customerId}', params: { customerId: 'ada' }, readOnly: true },
        { method: 'GET', path: '/payments/{orderId}', params: { orderId: randomUUID() }, readOnly: true },
      ],
      { seed: 7_2024, count: 300 },
    );
    const results = await sendHostileRequests(shop.url(''), requests);
    const failures = results.filter((r) => r.status >= 500 || (r.status >= 400 && typeof (r.body as { error?: unknown })?.error !== 'string'));
    expect(failures.map((f) => ({ status: f.status, path: f.request.path.slice(0, 120), what: f.request.what, body: f.body }))).toEqual([]);
    for (const r of results.filter((r) => r.request.method === 'POST')) expect([400, 413]).toContain(r.status);
    expect(await stored()).toEqual(before);
  });
});
