import type { EventOf } from '@webshop/events';
import { cancelOrder, OrderRuleViolation, placeOrder, react } from './decide';
import { evolve, type Order, type OrderEvent } from './order';

const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
const paymentId = '0b9f0d64-1c1e-4c41-8c6e-3f5a6a7b8c9d';
const shipmentId = 'a4d1a1f0-5b5e-4f0e-9f63-2c7e1d0b9a11';
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();
const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

const requested: EventOf<'PurchaseRequested'> = {
  type: 'PurchaseRequested',
  data: {
    orderId,
    customerId: 'ada',
    email: 'ada@example.com',
    items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
    totalCents: 900,
    shippingAddress: address,
    requestedAt: at(0),
  },
};
const paid: OrderEvent = { type: 'PaymentProcessed', data: { orderId, paymentId, customerId: 'ada', amountCents: 900, processedAt: at(1) } };
const declined: OrderEvent = { type: 'PaymentDeclined', data: { orderId, customerId: 'ada', amountCents: 900, reason: 'INSUFFICIENT_FUNDS', declinedAt: at(1) } };
const reserved: OrderEvent = { type: 'StockReserved', data: { orderId, items: [{ sku: 'TEA-1', quantity: 2 }], reservedAt: at(2) } };
const unavailable: OrderEvent = {
  type: 'StockUnavailable',
  data: { orderId, missing: [{ sku: 'TEA-1', requested: 2, available: 1 }], checkedAt: at(2) },
};
const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, paymentId, confirmedAt: at(3) } };
const dispatched: OrderEvent = { type: 'ShipmentDispatched', data: { orderId, shipmentId, trackingNumber: 'TRK1', at: at(4) } };
const delivered: OrderEvent = { type: 'ShipmentDelivered', data: { orderId, shipmentId, trackingNumber: 'TRK1', at: at(5) } };
const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', cancelledAt: at(6) } };

/** given(events) → the order they fold into. */
const given = (...events: OrderEvent[]): Order => {
  const order = events.reduce<Order | null>(evolve, null);
  if (!order) throw new Error('no order');
  return order;
};
/** The saga's answer once all the given events are applied (its own decisions included). */
const sagaAfter = (...events: OrderEvent[]) => react(given(...events), at(9));

describe('placing an order', () => {
  const prices = new Map([['TEA-1', { priceCents: 450 }], ['CUP-2', { priceCents: 1200 }]]);
  const command = { orderId, customerId: 'ada', email: 'ada@example.com', shippingAddress: address, now: at(0) };

  it('prices every line from the catalogue and totals it', () => {
    const event = placeOrder({ ...command, lines: [{ sku: 'TEA-1', quantity: 2 }, { sku: 'CUP-2', quantity: 1 }] }, prices);
    expect(event.data.items).toEqual([
      { sku: 'TEA-1', quantity: 2, unitPriceCents: 450 },
      { sku: 'CUP-2', quantity: 1, unitPriceCents: 1200 },
    ]);
    expect(event.data.totalCents).toBe(2100);
    expect(event.data.requestedAt).toBe(at(0));
  });

  it('refuses an order naming a sku the catalogue does not have, saying which line', () => {
    const attempt = () => placeOrder({ ...command, lines: [{ sku: 'TEA-1', quantity: 1 }, { sku: 'NOPE', quantity: 1 }] }, prices);
    expect(attempt).toThrow(OrderRuleViolation);
    expect(attempt).toThrow(expect.objectContaining({ code: 'unknown_sku', details: [{ path: 'items.1.sku', message: 'no product with sku NOPE' }] }));
  });
});

describe('the order saga', () => {
  it('waits while only one answer is in', () => {
    expect(sagaAfter(requested)).toEqual([]);
    expect(sagaAfter(requested, paid)).toEqual([]);
    expect(sagaAfter(requested, reserved)).toEqual([]);
  });

  it('confirms when payment and stock both succeeded, whichever answered first', () => {
    const expected = [{ type: 'OrderConfirmed', data: { orderId, paymentId, confirmedAt: at(9) } }];
    expect(sagaAfter(requested, paid, reserved)).toEqual(expected);
    expect(sagaAfter(requested, reserved, paid)).toEqual(expected);
  });

  it('rejects with PAYMENT_DECLINED when the payment is declined', () => {
    const [event] = sagaAfter(requested, reserved, declined);
    expect(event).toMatchObject({ type: 'OrderRejected', data: { reason: 'PAYMENT_DECLINED' } });
  });

  it('rejects with OUT_OF_STOCK, naming what was short, as soon as stock is unavailable', () => {
    const [event] = sagaAfter(requested, unavailable);
    expect(event).toMatchObject({ type: 'OrderRejected', data: { reason: 'OUT_OF_STOCK', detail: 'TEA-1: requested 2, available 1' } });
  });

  it('rejects only once when both fail', () => {
    const [rejection] = sagaAfter(requested, unavailable);
    expect(sagaAfter(requested, unavailable, rejection!, declined)).toEqual([]);
  });

  it('does nothing for answers that come after a cancellation', () => {
    expect(sagaAfter(requested, cancelled, paid, reserved)).toEqual([]);
  });
});

describe('the order as the events tell it', () => {
  it('follows the happy path to DELIVERED', () => {
    expect(given(requested).status).toBe('PENDING');
    expect(given(requested, paid, reserved, confirmed).status).toBe('CONFIRMED');
    expect(given(requested, paid, reserved, confirmed, dispatched).status).toBe('SHIPPED');
    const order = given(requested, paid, reserved, confirmed, dispatched, delivered);
    expect(order).toMatchObject({ status: 'DELIVERED', createdAt: at(0), updatedAt: at(5), payment: { status: 'PROCESSED', paymentId } });
  });

  it('keeps the rejection reason', () => {
    const [rejection] = sagaAfter(requested, unavailable);
    expect(given(requested, unavailable, rejection!)).toMatchObject({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' });
  });

  it('changes nothing when an event is applied twice', () => {
    const once = given(requested, paid, reserved, confirmed, dispatched);
    expect(given(requested, requested, paid, paid, reserved, confirmed, confirmed, dispatched, dispatched)).toEqual(once);
  });

  it('never moves a status backwards, whatever order the topics deliver in', () => {
    // OrderConfirmed read back from the orders topic after the shipments topic said it was dispatched.
    expect(given(requested, paid, reserved, confirmed, dispatched, confirmed).status).toBe('SHIPPED');
    // A replay that reads the shipments topic before the orders topic.
    expect(given(requested, dispatched, paid, reserved, confirmed)).toEqual(given(requested, paid, reserved, confirmed, dispatched));
    expect(given(requested, dispatched, delivered, paid, reserved, confirmed)).toEqual(given(requested, paid, reserved, confirmed, dispatched, delivered));
    expect(given(requested, cancelled, confirmed).status).toBe('CANCELLED');
  });

  it('ignores answers about an order it never saw requested', () => {
    expect([paid, reserved].reduce<Order | null>(evolve, null)).toBeNull();
  });
});

describe('cancelling', () => {
  const cancel = (...events: OrderEvent[]) => cancelOrder(given(...events), { reason: 'r', now: at(7) });
  const asked: OrderEvent = { type: 'OrderCancellationRequested', data: { orderId, reason: 'r', requestedAt: at(7) } };
  const shipmentCancelled: OrderEvent = { type: 'ShipmentCancelled', data: { orderId, shipmentId, trackingNumber: null, at: at(8) } };
  const scheduled: OrderEvent = { type: 'ShipmentScheduled', data: { orderId, shipmentId, trackingNumber: null, at: at(4) } };

  it('cancels a PENDING order at once: it has no shipment, orders alone decides', () => {
    expect(cancel(requested)).toEqual([{ type: 'OrderCancelled', data: { orderId, reason: 'r', cancelledAt: at(7) } }]);
    expect(cancel(requested, paid)).toEqual([{ type: 'OrderCancelled', data: { orderId, reason: 'r', cancelledAt: at(7) } }]);
  });

  it('asks shipping to cancel a CONFIRMED order, whose parcel may be leaving right now', () => {
    expect(cancel(requested, paid, reserved, confirmed, scheduled)).toEqual([
      { type: 'OrderCancellationRequested', data: { orderId, reason: 'r', requestedAt: at(7) } },
    ]);
    const order = given(requested, paid, reserved, confirmed, scheduled, asked);
    expect(order).toMatchObject({ status: 'CONFIRMED', cancellation: { reason: 'r', requestedAt: at(7) }, shipmentCancelled: false });
  });

  it('asks only once: a second cancel while the request is open publishes nothing', () => {
    expect(cancel(requested, paid, reserved, confirmed, asked)).toEqual([]);
  });

  it('cancels the order when shipping answers that the shipment is cancelled', () => {
    expect(sagaAfter(requested, paid, reserved, confirmed, scheduled, asked)).toEqual([]);
    expect(sagaAfter(requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled)).toEqual([
      { type: 'OrderCancelled', data: { orderId, reason: 'r', cancelledAt: at(9) } },
    ]);
    const [orderCancelled] = sagaAfter(requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled);
    expect(sagaAfter(requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled, orderCancelled!)).toEqual([]);
    expect(given(requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled, orderCancelled!).status).toBe('CANCELLED');
  });

  it('comes to the same order whichever of the request and the answer a replay reads first', () => {
    const [orderCancelled] = sagaAfter(requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled);
    expect(given(requested, paid, reserved, confirmed, scheduled, shipmentCancelled, asked)).toEqual(
      given(requested, paid, reserved, confirmed, scheduled, asked, shipmentCancelled),
    );
    expect(sagaAfter(requested, paid, reserved, confirmed, scheduled, shipmentCancelled, asked)).toEqual([orderCancelled]);
  });

  it('lets the dispatch stand when the parcel left before shipping saw the request', () => {
    const order = given(requested, paid, reserved, confirmed, scheduled, asked, dispatched);
    expect(order.status).toBe('SHIPPED');
    expect(react(order, at(9))).toEqual([]);
  });

  it('ignores a ShipmentCancelled nobody asked for (an older OrderCancelled already cancelled the order)', () => {
    expect(given(requested, paid, reserved, confirmed, cancelled, shipmentCancelled)).toMatchObject({ status: 'CANCELLED', cancellation: null, shipmentCancelled: true });
    expect(sagaAfter(requested, paid, reserved, confirmed, shipmentCancelled)).toEqual([]);
  });

  it.each([
    ['SHIPPED', [requested, paid, reserved, confirmed, dispatched]],
    ['DELIVERED', [requested, paid, reserved, confirmed, dispatched, delivered]],
    ['CANCELLED', [requested, cancelled]],
    ['REJECTED', [requested, unavailable, { type: 'OrderRejected', data: { orderId, reason: 'OUT_OF_STOCK', detail: 'TEA-1', rejectedAt: at(3) } }]],
  ] as Array<[string, OrderEvent[]]>)('is refused once the order is %s', (_status, events) => {
    expect(() => cancel(...events)).toThrow(expect.objectContaining({ code: 'not_cancellable' }));
  });
});
