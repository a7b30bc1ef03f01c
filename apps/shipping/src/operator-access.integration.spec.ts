/**
 * Operator access to the shipping API on real Kafka and Postgres: dispatching and delivering a
 * parcel need the operator's Bearer token (401 unauthorized without one, 403 forbidden with a
 * wrong one), and a refused one leaves the shipment as it was and publishes nothing; looking a
 * shipment up needs none.
 */
import { randomUUID } from 'node:crypto';
import { call, startServiceHarness, tableFingerprint, testOperatorToken, type ServiceHarness } from '@webshop/testing';
import { shippingService } from './service';

let shop: ServiceHarness;
beforeAll(async () => {
  shop = await startServiceHarness(shippingService, { label: 'ship_auth', reads: ['shipments'] });
});
afterAll(() => shop?.stop());

const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

/** An order requested and confirmed, as orders publishes them; resolves once its shipment is scheduled. */
async function scheduledShipment(): Promise<string> {
  const orderId = randomUUID();
  const at = new Date().toISOString();
  await shop.publish([
    {
      type: 'PurchaseRequested',
      data: { orderId, customerId: 'ada', email: 'ada@example.com', items: [{ sku: 'TEA-1', quantity: 1, unitPriceCents: 450 }], totalCents: 450, shippingAddress: address, requestedAt: at },
    },
    { type: 'OrderConfirmed', data: { orderId, paymentId: randomUUID(), confirmedAt: at } },
  ]);
  await shop.waitForPublished('ShipmentScheduled', (d) => d.orderId === orderId);
  return orderId;
}

const stored = () => tableFingerprint(shop.db.pool, { shipments: '*', outbox: 'event_id' });
const statusOf = async (orderId: string) => ((await call(shop.url(`/shipments/${orderId}`), 'GET', undefined, { token: null })).body as { status: string }).status;

describe('the operator operations of shipping', () => {
  it.each([
    ['no token', 401, 'unauthorized', null],
    ['a wrong token', 403, 'forbidden', 'a-token-the-operator-never-gave'],
  ] as const)('with %s: dispatch and deliver refused %i %s, the shipment unchanged, nothing published', async (_what, status, code, token) => {
    const scheduled = await scheduledShipment();
    const dispatched = await scheduledShipment();
    expect((await call(shop.url(`/shipments/${dispatched}/dispatch`), 'POST')).status).toBe(202);
    const before = await stored();

    expect(await call(shop.url(`/shipments/${scheduled}/dispatch`), 'POST', undefined, { token })).toMatchObject({ status, body: { error: code } });
    expect(await call(shop.url(`/shipments/${dispatched}/deliver`), 'POST', undefined, { token })).toMatchObject({ status, body: { error: code } });

    expect(await stored()).toEqual(before);
    expect([await statusOf(scheduled), await statusOf(dispatched)]).toEqual(['SCHEDULED', 'DISPATCHED']);
  });

  it('with the operator token: dispatch, then deliver', async () => {
    const orderId = await scheduledShipment();
    expect(await call(shop.url(`/shipments/${orderId}/dispatch`), 'POST', undefined, { token: testOperatorToken })).toMatchObject({ status: 202, body: { status: 'DISPATCHED' } });
    expect(await call(shop.url(`/shipments/${orderId}/deliver`), 'POST', undefined, { token: testOperatorToken })).toMatchObject({ status: 202, body: { status: 'DELIVERED' } });
    await shop.waitForPublished('ShipmentDelivered', (d) => d.orderId === orderId);
  });
});
