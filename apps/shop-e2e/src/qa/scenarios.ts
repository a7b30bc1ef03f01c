/**
 * The order-flow scenarios QA runs against any shop (`npm run e2e`), and the end-to-end suite runs
 * against the shop it starts. Each sets up its own products and customers, so they can run on a
 * shop that is already in use. They speak only HTTP: the contract of docs/architecture.md, "HTTP API".
 */
import assert from 'node:assert/strict';
import { call, eventually, unique, type ShopClient } from './client';

export interface Scenario {
  name: string;
  run(shop: ShopClient): Promise<void>;
}

export const scenarios: Scenario[] = [
  {
    name: 'happy path: CONFIRMED, shipped, DELIVERED; charged once, stock reduced, two emails, the story in the timeline',
    async run(shop) {
      const { sku, customer } = await shop.setUp({ sku: 'TEA', customer: 'ada', priceCents: 450, stock: 10, funds: 10_000 });
      const order = await shop.place(customer, [{ sku, quantity: 2 }]);
      assert.equal(order.status, 'PENDING');
      assert.equal(order.totalCents, 900);
      assert.equal((await shop.until(order.orderId, 'CONFIRMED,REJECTED')).status, 'CONFIRMED');
      assert.equal(await shop.balance(customer), 9_100);
      assert.equal((await shop.stockOf(sku)).available, 8);

      await shop.shipment(order.orderId, 'SCHEDULED');
      assert.equal(await shop.ship(order.orderId, 'dispatch'), 202);
      assert.equal((await shop.until(order.orderId, 'SHIPPED')).status, 'SHIPPED');
      assert.equal(await shop.ship(order.orderId, 'deliver'), 202);
      assert.equal((await shop.until(order.orderId, 'DELIVERED')).status, 'DELIVERED');

      const emails = await shop.emails(order.orderId, 2);
      assert.deepEqual(emails.map((e) => e.template).sort(), ['ORDER_CONFIRMED', 'ORDER_SHIPPED']);
      assert.equal(await shop.balance(customer), 9_100, 'charged exactly once');
      const timeline = await eventually(
        async () => (await call<Array<{ type: string; producer: string }>>(shop.urls.orders, 'GET', `/orders/${order.orderId}/timeline`)).body,
        (t) => t.filter((e) => e.type === 'EmailSent').length >= 2,
        'both EmailSent in the timeline',
      );
      const types = timeline.map((e) => e.type);
      assert.equal(types[0], 'PurchaseRequested');
      for (const type of ['PaymentProcessed', 'StockReserved', 'OrderConfirmed', 'ShipmentScheduled', 'ShipmentDispatched', 'ShipmentDelivered', 'EmailSent']) {
        assert.ok(types.includes(type), `the timeline tells ${type}: ${types.join(', ')}`);
      }
      assert.deepEqual(new Set(timeline.map((e) => e.producer)), new Set(['orders', 'payment', 'stock', 'shipping', 'email']));
    },
  },
  {
    name: 'payment declined: REJECTED (PAYMENT_DECLINED), stock released, a rejection email',
    async run(shop) {
      const { sku, customer } = await shop.setUp({ sku: 'CUP', customer: 'poor', priceCents: 5_000, stock: 3, funds: 100 });
      const { order, final } = await shop.placeAndSettle(customer, [{ sku, quantity: 1 }]);
      assert.deepEqual([final.status, final.rejectionReason], ['REJECTED', 'PAYMENT_DECLINED']);
      const stock = await eventually(() => shop.stockOf(sku), (s) => s.available === 3, 'the reservation released');
      assert.equal(stock.reserved, 0);
      assert.equal(await shop.balance(customer), 100);
      assert.deepEqual((await shop.emails(order.orderId, 1)).map((e) => e.template), ['ORDER_REJECTED']);
      const payment = await shop.payment(order.orderId);
      assert.deepEqual([payment.status, payment.declineReason], ['DECLINED', 'INSUFFICIENT_FUNDS']);
    },
  },
  {
    name: 'out of stock: REJECTED (OUT_OF_STOCK), payment refunded, a rejection email',
    async run(shop) {
      const { sku, customer } = await shop.setUp({ sku: 'RARE', customer: 'rich', priceCents: 700, stock: 1, funds: 5_000 });
      const { order, final } = await shop.placeAndSettle(customer, [{ sku, quantity: 2 }]);
      assert.deepEqual([final.status, final.rejectionReason], ['REJECTED', 'OUT_OF_STOCK']);
      const payment = await eventually(() => shop.payment(order.orderId), (p) => p?.status === 'REFUNDED', 'the refund');
      assert.equal(payment.amountCents, 1_400);
      assert.equal(await shop.balance(customer), 5_000);
      const stock = await shop.stockOf(sku);
      assert.deepEqual([stock.available, stock.reserved], [1, 0]);
      assert.deepEqual((await shop.emails(order.orderId, 1)).map((e) => e.template), ['ORDER_REJECTED']);
    },
  },
  {
    name: 'cancelled before dispatch: CANCELLED, refunded, stock released, shipment cancelled, an email',
    async run(shop) {
      const { sku, customer } = await shop.setUp({ sku: 'MUG', customer: 'fickle', priceCents: 1_000, stock: 5, funds: 3_000 });
      const order = await shop.placeConfirmed(customer, [{ sku, quantity: 1 }]);
      const cancel = await shop.cancel(order.orderId);
      assert.deepEqual([cancel.status, cancel.body.status], [202, 'CANCELLED']);
      await shop.shipment(order.orderId, 'CANCELLED');
      await eventually(() => shop.balance(customer), (b) => b === 3_000, 'the refund');
      const stock = await eventually(() => shop.stockOf(sku), (s) => s.available === 5, 'the stock released');
      assert.equal(stock.reserved, 0);
      assert.deepEqual((await shop.emails(order.orderId, 2)).map((e) => e.template).sort(), ['ORDER_CANCELLED', 'ORDER_CONFIRMED']);
      const again = await shop.cancel(order.orderId);
      assert.deepEqual([again.status, again.body.error], [409, 'not_cancellable']);
    },
  },
  {
    name: 'cancelled too late: once dispatched, 409 not_cancellable; still charged, stock gone, shipment on its way',
    async run(shop) {
      const { sku, customer } = await shop.setUp({ sku: 'LAMP', customer: 'late', priceCents: 2_000, stock: 3, funds: 5_000 });
      const order = await shop.placeConfirmed(customer, [{ sku, quantity: 1 }]);
      assert.equal(await shop.ship(order.orderId, 'dispatch'), 202);
      assert.equal((await shop.until(order.orderId, 'SHIPPED')).status, 'SHIPPED');
      const cancel = await shop.cancel(order.orderId);
      assert.deepEqual([cancel.status, cancel.body.error], [409, 'not_cancellable']);
      assert.equal((await call(shop.urls.orders, 'GET', `/orders/${order.orderId}`)).body.status, 'SHIPPED');
      await shop.shipment(order.orderId, 'DISPATCHED');
      assert.equal(await shop.balance(customer), 3_000);
      assert.equal((await shop.payment(order.orderId)).status, 'PROCESSED');
      assert.equal((await shop.stockOf(sku)).available, 2);
    },
  },
  {
    name: 'idempotency: the same key and body answer the first order; the same key with another body is 409',
    async run(shop) {
      const { sku, customer } = await shop.setUp({ sku: 'IDEM', customer: 'retry', priceCents: 100, stock: 10, funds: 1_000 });
      const key = unique('key');
      const first = await shop.place(customer, [{ sku, quantity: 1 }], { 'Idempotency-Key': key });
      const again = await shop.place(customer, [{ sku, quantity: 1 }], { 'Idempotency-Key': key });
      assert.equal(again.orderId, first.orderId);
      const other = await call(shop.urls.orders, 'POST', '/orders', { customerId: customer, email: `${customer}@example.com`, items: [{ sku, quantity: 2 }], shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: 'D', country: 'GB' } }, { 'Idempotency-Key': key });
      assert.deepEqual([other.status, other.body.error], [409, 'idempotency_key_reused']);
      await shop.until(first.orderId, 'CONFIRMED,REJECTED');
      assert.equal(await shop.balance(customer), 900, 'charged for one order only');
      const mine = await call(shop.urls.orders, 'GET', `/orders?customerId=${customer}`);
      assert.equal(mine.body.items.length, 1);
    },
  },
  {
    name: 'bad input: 400, 404, 413 and 422 with the codes of the contract, and nothing created',
    async run(shop) {
      const customer = unique('typo');
      const expectError = async (answer: Promise<{ status: number; body: any }>, status: number, code?: string) => {
        const res = await answer;
        assert.equal(res.status, status, JSON.stringify(res.body));
        if (code) assert.equal(res.body.error, code);
        return res.body;
      };
      const body = (overrides: object) => ({ customerId: customer, email: `${customer}@example.com`, items: [{ sku: 'TEA-1', quantity: 1 }], shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: 'D', country: 'GB' }, ...overrides });
      await expectError(call(shop.urls.orders, 'POST', '/orders', '{"customerId": '), 400, 'validation_failed');
      const invalid = await expectError(call(shop.urls.orders, 'POST', '/orders', body({ email: 'nope', items: [] })), 400, 'validation_failed');
      assert.ok(Array.isArray(invalid.details) && invalid.details.length >= 2);
      await expectError(call(shop.urls.orders, 'POST', '/orders', body({ items: [{ sku: unique('NOPE'), quantity: 1 }] })), 422, 'unknown_sku');
      await expectError(call(shop.urls.orders, 'POST', '/orders', body({ customerId: 'x'.repeat(70 * 1024) })), 413);
      await expectError(call(shop.urls.orders, 'GET', '/orders/5b1c1a5e-0000-4000-8000-000000000000'), 404, 'not_found');
      await expectError(call(shop.urls.orders, 'POST', '/orders/5b1c1a5e-0000-4000-8000-000000000000/cancel', {}), 404, 'not_found');
      await expectError(call(shop.urls.payment, 'POST', `/accounts/${customer}/deposits`, { amountCents: -5 }, shop.operator), 400, 'validation_failed');
      await expectError(call(shop.urls.stock, 'POST', `/products/${unique('GHOST')}/restock`, { quantity: 1 }, shop.operator), 404, 'not_found');
      await expectError(call(shop.urls.shipping, 'GET', '/shipments/5b1c1a5e-0000-4000-8000-000000000000'), 404, 'not_found');
      const mine = await call(shop.urls.orders, 'GET', `/orders?customerId=${customer}`);
      assert.deepEqual(mine.body.items, []);
      await expectError(call(shop.urls.payment, 'GET', `/accounts/${customer}`), 404, 'not_found');
    },
  },
  {
    name: "operator operations: 401 without the operator's token, 403 with a wrong one, and nothing changes",
    async run(shop) {
      const { sku, customer } = await shop.setUp({ sku: 'LOCK', customer: 'eve', priceCents: 300, stock: 2, funds: 1_000 });
      const order = await shop.placeConfirmed(customer, [{ sku, quantity: 1 }]);
      const operations: Array<[string, string, string, unknown]> = [
        [shop.urls.payment, 'POST', `/accounts/${customer}/deposits`, { amountCents: 5_000 }],
        [shop.urls.stock, 'POST', `/products/${sku}/restock`, { quantity: 50 }],
        [shop.urls.stock, 'PUT', `/products/${sku}`, { name: 'Free tea', priceCents: 1 }],
        [shop.urls.shipping, 'POST', `/shipments/${order.orderId}/dispatch`, undefined],
      ];
      for (const [base, method, path, body] of operations) {
        for (const [headers, status, code] of [[{}, 401, 'unauthorized'], [{ authorization: 'Bearer not-the-operator-token' }, 403, 'forbidden']] as const) {
          const res = await call(base, method, path, body, headers);
          assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(headers)}: ${JSON.stringify(res.body)}`);
          assert.equal(res.body.error, code);
        }
      }
      assert.equal(await shop.balance(customer), 700);
      const product = (await call(shop.urls.stock, 'GET', `/products/${sku}`)).body;
      assert.deepEqual([product.available, product.priceCents, product.name], [1, 300, `Product ${sku}`]);
      assert.equal((await call(shop.urls.shipping, 'GET', `/shipments/${order.orderId}`)).body.status, 'SCHEDULED');
    },
  },
];
