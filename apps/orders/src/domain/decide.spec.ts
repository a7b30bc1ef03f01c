import { deciderSpec } from '@webshop/testing';
import { address, asked, at, cancelled, confirmed, delivered, dispatched, orderId, paid, paymentId, requested, reserved, scheduled, unavailable } from '../testing/order-story';
import { cancellationOutcome, orderDecider, type OrderCommand } from './decide';
import type { OrderEvent } from './order';

const orders = deciderSpec(orderDecider);
/** The order the given events fold into. */
const orderAfter = (...events: OrderEvent[]) => orders.given(events).state;
const rejected: OrderEvent = { type: 'OrderRejected', data: { orderId, reason: 'OUT_OF_STOCK', detail: 'TEA-1: requested 2, available 1', rejectedAt: at(3) } };

describe('placing an order', () => {
  const prices = new Map([['TEA-1', { priceCents: 450 }], ['CUP-2', { priceCents: 1200 }]]);
  const place = (lines: Array<{ sku: string; quantity: number }>): OrderCommand => ({
    type: 'PlaceOrder',
    orderId,
    customerId: 'ada',
    email: 'ada@example.com',
    lines,
    shippingAddress: address,
    prices,
    now: at(0),
  });

  it('prices every line from the catalogue and totals it', () => {
    orders.given().when(place([{ sku: 'TEA-1', quantity: 2 }, { sku: 'CUP-2', quantity: 1 }])).then([
      {
        type: 'PurchaseRequested',
        data: {
          ...requested.data,
          items: [
            { sku: 'TEA-1', quantity: 2, unitPriceCents: 450 },
            { sku: 'CUP-2', quantity: 1, unitPriceCents: 1200 },
          ],
          totalCents: 2100,
          requestedAt: at(0),
        },
      },
    ]);
  });

  it('refuses an order naming a sku the catalogue does not have, saying which line', () => {
    const refusal = orders.given().when(place([{ sku: 'TEA-1', quantity: 1 }, { sku: 'NOPE', quantity: 1 }])).thenThrows('unknown_sku');
    expect(refusal).toMatchObject({ status: 422, details: [{ path: 'items.1.sku', message: 'no product with sku NOPE' }] });
  });

  it('places an order once', () => {
    orders.given([requested]).when(place([{ sku: 'TEA-1', quantity: 2 }])).thenNothingHappened();
  });
});

describe('the order as the events tell it', () => {
  it('follows the happy path to DELIVERED', () => {
    expect(orderAfter(requested)?.status).toBe('PENDING');
    expect(orderAfter(requested, paid, reserved, confirmed)?.status).toBe('CONFIRMED');
    expect(orderAfter(requested, paid, reserved, confirmed, dispatched)?.status).toBe('SHIPPED');
    expect(orderAfter(requested, paid, reserved, confirmed, dispatched, delivered)).toMatchObject({
      status: 'DELIVERED',
      createdAt: at(0),
      updatedAt: at(5),
      payment: { status: 'PROCESSED', paymentId },
    });
  });

  it('keeps the rejection reason', () => {
    expect(orderAfter(requested, unavailable, rejected)).toMatchObject({ status: 'REJECTED', rejectionReason: 'OUT_OF_STOCK' });
  });

  it('changes nothing when an event is applied twice', () => {
    const once = orderAfter(requested, paid, reserved, confirmed, dispatched);
    expect(orderAfter(requested, requested, paid, paid, reserved, confirmed, confirmed, dispatched, dispatched)).toEqual(once);
  });

  it('never moves a status backwards, whatever order the topics deliver in', () => {
    // OrderConfirmed read back from the orders topic after the shipments topic said it was dispatched.
    expect(orderAfter(requested, paid, reserved, confirmed, dispatched, confirmed)?.status).toBe('SHIPPED');
    // A replay that reads the shipments topic before the orders topic.
    expect(orderAfter(requested, dispatched, paid, reserved, confirmed)).toEqual(orderAfter(requested, paid, reserved, confirmed, dispatched));
    expect(orderAfter(requested, dispatched, delivered, paid, reserved, confirmed)).toEqual(orderAfter(requested, paid, reserved, confirmed, dispatched, delivered));
    expect(orderAfter(requested, cancelled, confirmed)?.status).toBe('CANCELLED');
  });

  it('ignores answers about an order it never saw requested', () => {
    expect(orderAfter(paid, reserved)).toBeNull();
  });
});

describe('cancelling', () => {
  const cancel: OrderCommand = { type: 'CancelOrder', orderId, reason: 'r', now: at(7) };

  it('cancels a PENDING order at once: it has no shipment, orders alone decides', () => {
    const orderCancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'r', cancelledAt: at(7) } };
    orders.given([requested]).when(cancel).then([orderCancelled]);
    orders.given([requested, paid]).when(cancel).then([orderCancelled]);
  });

  it('asks shipping to cancel a CONFIRMED order, whose parcel may be leaving right now', () => {
    const after = orders.given([requested, paid, reserved, confirmed, scheduled]).when(cancel).then([asked]);
    expect(after.state).toMatchObject({ status: 'CONFIRMED', cancellation: { reason: 'r', requestedAt: at(7) }, shipmentCancelled: false });
  });

  it('asks only once: a second cancel while the request is open publishes nothing', () => {
    orders.given([requested, paid, reserved, confirmed, asked]).when(cancel).thenNothingHappened();
  });

  it.each([
    ['SHIPPED', [requested, paid, reserved, confirmed, dispatched]],
    ['DELIVERED', [requested, paid, reserved, confirmed, dispatched, delivered]],
    ['CANCELLED', [requested, cancelled]],
    ['REJECTED', [requested, unavailable, rejected]],
  ] as Array<[string, OrderEvent[]]>)('is refused once the order is %s', (_status, events) => {
    expect(orders.given(events).when(cancel).thenThrows('not_cancellable').status).toBe(409);
  });

  it('is refused for an order that does not exist', () => {
    expect(orders.given().when(cancel).thenThrows('not_found').status).toBe(404);
  });

  it('is refused after all when the parcel left before shipping saw the request', () => {
    const shipped = orderAfter(requested, paid, reserved, confirmed, scheduled, asked, dispatched)!;
    expect(() => cancellationOutcome(shipped)).toThrow(expect.objectContaining({ status: 409, code: 'not_cancellable' }));
    const open = orderAfter(requested, paid, reserved, confirmed, scheduled, asked)!;
    expect(cancellationOutcome(open)).toBe(open);
  });
});
