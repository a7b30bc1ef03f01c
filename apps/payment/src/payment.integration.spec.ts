/**
 * The payment service end to end: its HTTP API, and its answers to real orders-topic records on a
 * real Kafka broker, with its own Postgres database.
 */
import { randomUUID } from 'node:crypto';
import type { EventData } from '@webshop/events';
import { paymentService } from './service';
import { uniqueName, call, startServiceHarness, type ServiceHarness } from '@webshop/testing';

let shop: ServiceHarness;

beforeAll(async () => {
  shop = await startServiceHarness(paymentService, { label: 'pay', reads: ['payments'] });
});

afterAll(async () => {
  await shop?.stop();
});

const newCustomer = () => uniqueName('cust');

function purchase(customerId: string, totalCents: number, orderId = randomUUID()): EventData<'PurchaseRequested'> {
  return {
    orderId,
    customerId,
    email: 'ada@example.com',
    items: [{ sku: 'TEA-1', quantity: 1, unitPriceCents: totalCents }],
    totalCents,
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    requestedAt: new Date().toISOString(),
  };
}

const depositTo = (customerId: string, amountCents: number) => call(shop.url(`/accounts/${customerId}/deposits`), 'POST', { amountCents });
const balanceOf = async (customerId: string) => ((await call(shop.url(`/accounts/${customerId}`), 'GET')).body as { balanceCents: number }).balanceCents;
const byOrder = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;

describe('accounts', () => {
  it('opens an account with the first deposit and adds every later one', async () => {
    const customerId = newCustomer();
    expect(await call(shop.url(`/accounts/${customerId}`), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await depositTo(customerId, 5_000)).toEqual({ status: 200, body: { customerId, balanceCents: 5_000 } });
    expect(await depositTo(customerId, 250)).toEqual({ status: 200, body: { customerId, balanceCents: 5_250 } });
    expect(await call(shop.url(`/accounts/${customerId}`), 'GET')).toEqual({ status: 200, body: { customerId, balanceCents: 5_250 } });
    const { rows } = await shop.db.pool.query('SELECT amount_cents FROM deposits WHERE customer_id = $1 ORDER BY at', [customerId]);
    expect(rows.map((r) => r.amount_cents)).toEqual([5_000, 250]);
  });
});

describe('charging for a purchase', () => {
  it('debits the balance and publishes PaymentProcessed, keyed by the order and caused by the request', async () => {
    const customerId = newCustomer();
    await depositTo(customerId, 5_000);
    const order = purchase(customerId, 1_800);
    const [requestId] = await shop.publish([{ type: 'PurchaseRequested', data: order }]);

    const [processed] = await shop.waitForPublished('PaymentProcessed', byOrder(order.orderId));
    expect(processed).toMatchObject({ topic: 'payments', key: order.orderId, causationId: requestId });
    expect(processed!.data).toEqual({
      orderId: order.orderId,
      paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      amountCents: 1_800,
      processedAt: expect.any(String),
    });
    expect(await balanceOf(customerId)).toBe(3_200);
    expect(await call(shop.url(`/payments/${order.orderId}`), 'GET')).toEqual({
      status: 200,
      body: { orderId: order.orderId, customerId, amountCents: 1_800, status: 'PROCESSED' },
    });
  });

  it('declines with INSUFFICIENT_FUNDS when the balance is short, and takes nothing', async () => {
    const customerId = newCustomer();
    await depositTo(customerId, 1_000);
    const order = purchase(customerId, 1_001);
    await shop.publish([{ type: 'PurchaseRequested', data: order }]);

    const [declined] = await shop.waitForPublished('PaymentDeclined', byOrder(order.orderId));
    expect(declined!.data).toMatchObject({ customerId, amountCents: 1_001, reason: 'INSUFFICIENT_FUNDS' });
    expect(await balanceOf(customerId)).toBe(1_000);
    expect(await call(shop.url(`/payments/${order.orderId}`), 'GET')).toEqual({
      status: 200,
      body: { orderId: order.orderId, customerId, amountCents: 1_001, status: 'DECLINED', declineReason: 'INSUFFICIENT_FUNDS' },
    });
  });

  it('declines with NO_ACCOUNT for a customer who never deposited', async () => {
    const customerId = newCustomer();
    const order = purchase(customerId, 100);
    await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    const [declined] = await shop.waitForPublished('PaymentDeclined', byOrder(order.orderId));
    expect(declined!.data.reason).toBe('NO_ACCOUNT');
    expect(await call(shop.url(`/accounts/${customerId}`), 'GET')).toMatchObject({ status: 404 });
  });

  it('charges once when the same PurchaseRequested is delivered twice, or requested again for the order', async () => {
    const customerId = newCustomer();
    await depositTo(customerId, 10_000);
    const order = purchase(customerId, 3_000);
    const [requestId] = await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    await shop.waitForPublished('PaymentProcessed', byOrder(order.orderId));

    // The same record again (a relay that crashed before marking it published), then the same
    // purchase under a new event id; then a rejection, which the partition delivers after both.
    await shop.redeliver(requestId!);
    const [againId] = await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    await shop.handled(againId!);
    expect(await shop.outboxed('PaymentProcessed', order.orderId)).toBe(1);
    expect(await balanceOf(customerId)).toBe(7_000);

    await shop.publish([{ type: 'OrderRejected', data: { orderId: order.orderId, reason: 'OUT_OF_STOCK', detail: 'TEA-1', rejectedAt: new Date().toISOString() } }]);
    await shop.waitForPublished('PaymentRefunded', byOrder(order.orderId));
    // Charged twice and refunded once would leave 7 000.
    expect(await balanceOf(customerId)).toBe(10_000);
    expect(shop.published.filter((p) => p.type === 'PaymentProcessed' && p.key === order.orderId)).toHaveLength(1);
  });
});

describe('refunding', () => {
  it('refunds a charged order once when it is cancelled, and not again when it is then rejected', async () => {
    const customerId = newCustomer();
    await depositTo(customerId, 2_000);
    const order = purchase(customerId, 1_500);
    await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    const [processed] = await shop.waitForPublished('PaymentProcessed', byOrder(order.orderId));
    expect(await balanceOf(customerId)).toBe(500);

    const [cancelId] = await shop.publish([{ type: 'OrderCancelled', data: { orderId: order.orderId, reason: 'changed my mind', cancelledAt: new Date().toISOString() } }]);
    const [refunded] = await shop.waitForPublished('PaymentRefunded', byOrder(order.orderId));
    expect(refunded).toMatchObject({ key: order.orderId, causationId: cancelId });
    expect(refunded!.data).toEqual({ orderId: order.orderId, paymentId: processed!.data.paymentId, amountCents: 1_500, refundedAt: expect.any(String) });
    expect(await balanceOf(customerId)).toBe(2_000);
    expect(await call(shop.url(`/payments/${order.orderId}`), 'GET')).toMatchObject({ status: 200, body: { status: 'REFUNDED' } });

    const [rejectId] = await shop.publish([
      { type: 'OrderRejected', data: { orderId: order.orderId, reason: 'PAYMENT_DECLINED', detail: 'late', rejectedAt: new Date().toISOString() } },
    ]);
    await shop.redeliver(cancelId!);
    await shop.handled(rejectId!);
    expect(await shop.outboxed('PaymentRefunded', order.orderId)).toBe(1);
    expect(await balanceOf(customerId)).toBe(2_000);
  });

  it('refunds nothing for a declined order', async () => {
    const customerId = newCustomer();
    await depositTo(customerId, 100);
    const order = purchase(customerId, 500);
    await shop.publish([{ type: 'PurchaseRequested', data: order }]);
    await shop.waitForPublished('PaymentDeclined', byOrder(order.orderId));
    const [rejectId] = await shop.publish([
      { type: 'OrderRejected', data: { orderId: order.orderId, reason: 'PAYMENT_DECLINED', detail: 'short', rejectedAt: new Date().toISOString() } },
    ]);
    await shop.handled(rejectId!);
    expect(await shop.outboxed('PaymentRefunded', order.orderId)).toBe(0);
    expect(await balanceOf(customerId)).toBe(100);
    expect(await call(shop.url(`/payments/${order.orderId}`), 'GET')).toMatchObject({ status: 200, body: { status: 'DECLINED' } });
  });
});

describe('bad input', () => {
  it.each([
    ['zero', { amountCents: 0 }, 'amountCents'],
    ['negative', { amountCents: -5 }, 'amountCents'],
    ['a fraction', { amountCents: 10.5 }, 'amountCents'],
    ['a string', { amountCents: '100' }, 'amountCents'],
    ['over the limit', { amountCents: 100_000_000_01 }, 'amountCents'],
    ['missing', {}, 'amountCents'],
    ['with an unknown field', { amountCents: 100, currency: 'EUR' }, ''],
  ])('refuses a deposit whose amount is %s with 400 validation_failed, opening no account', async (_what, body, path) => {
    const customerId = newCustomer();
    const res = await call(shop.url(`/accounts/${customerId}/deposits`), 'POST', body);
    expect(res).toMatchObject({ status: 400, body: { error: 'validation_failed', details: [expect.objectContaining({ path })] } });
    expect(await call(shop.url(`/accounts/${customerId}`), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('refuses a body that is not JSON, or none at all', async () => {
    const customerId = newCustomer();
    const notJson = await fetch(shop.url(`/accounts/${customerId}/deposits`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amountCents":' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'validation_failed' });
    expect(await call(shop.url(`/accounts/${customerId}/deposits`), 'POST')).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(await call(shop.url(`/accounts/${customerId}`), 'GET')).toMatchObject({ status: 404 });
  });

  it('refuses a customer id longer than 100 characters or blank', async () => {
    for (const customerId of ['x'.repeat(101), '%20']) {
      expect(await call(shop.url(`/accounts/${customerId}/deposits`), 'POST', { amountCents: 100 })).toMatchObject({
        status: 400,
        body: { error: 'validation_failed' },
      });
    }
    expect(await call(shop.url(`/accounts/${'x'.repeat(101)}`), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('answers 404 not_found for a payment it does not know, and for an id that is not a uuid', async () => {
    expect(await call(shop.url(`/payments/${randomUUID()}`), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call(shop.url('/payments/not-a-uuid'), 'GET')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
