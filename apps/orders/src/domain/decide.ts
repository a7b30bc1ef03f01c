/**
 * What the orders service decides: placing and cancelling orders (commands from its API) and the
 * order saga (what to publish when payment and stock answer). Pure: ids and time come in.
 */
import type { EventOf } from '@webshop/events';
import type { Order } from './order';

export class OrderRuleViolation extends Error {
  constructor(
    readonly code: 'unknown_sku' | 'not_cancellable',
    message: string,
    readonly details: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'OrderRuleViolation';
  }
}

export interface PlaceOrder {
  orderId: string;
  customerId: string;
  email: string;
  lines: Array<{ sku: string; quantity: number }>;
  shippingAddress: EventOf<'PurchaseRequested'>['data']['shippingAddress'];
  now: string;
}

/** The catalogue as orders knows it (its own copy, built from the products topic). */
export type PriceList = ReadonlyMap<string, { priceCents: number }>;

/** Prices every line from the catalogue; refuses an order naming a sku the catalogue lacks. */
export function placeOrder(command: PlaceOrder, prices: PriceList): EventOf<'PurchaseRequested'> {
  const unknown = command.lines.map((line, i) => ({ line, i })).filter(({ line }) => !prices.has(line.sku));
  if (unknown.length > 0) {
    throw new OrderRuleViolation(
      'unknown_sku',
      `unknown sku: ${unknown.map(({ line }) => line.sku).join(', ')}`,
      unknown.map(({ line, i }) => ({ path: `items.${i}.sku`, message: `no product with sku ${line.sku}` })),
    );
  }
  const items = command.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPriceCents: prices.get(line.sku)!.priceCents }));
  return {
    type: 'PurchaseRequested',
    data: {
      orderId: command.orderId,
      customerId: command.customerId,
      email: command.email,
      items,
      totalCents: items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0),
      shippingAddress: command.shippingAddress,
      requestedAt: command.now,
    },
  };
}

/**
 * Cancellation is allowed until the shipment is dispatched. A PENDING order has no shipment and
 * orders alone decides its fate: it is cancelled at once. A CONFIRMED order's parcel may be leaving
 * at this very moment, and only shipping knows: orders asks (OrderCancellationRequested), shipping
 * cancels the shipment unless it was dispatched first, and `react` cancels the order on its answer.
 * Asking again while the request is open asks nothing new.
 */
export function cancelOrder(
  order: Order,
  command: { reason: string; now: string },
): Array<EventOf<'OrderCancelled'> | EventOf<'OrderCancellationRequested'>> {
  if (order.status === 'PENDING') {
    return [{ type: 'OrderCancelled', data: { orderId: order.orderId, reason: command.reason, cancelledAt: command.now } }];
  }
  if (order.status === 'CONFIRMED') {
    if (order.cancellation) return [];
    return [{ type: 'OrderCancellationRequested', data: { orderId: order.orderId, reason: command.reason, requestedAt: command.now } }];
  }
  throw new OrderRuleViolation('not_cancellable', `order ${order.orderId} is ${order.status} and can no longer be cancelled`);
}

/**
 * The saga: given the order after an answer was applied, what to publish. Both succeeded →
 * OrderConfirmed; either failed → OrderRejected; the order in which the answers came does not matter.
 * A confirmed order whose shipment shipping cancelled on request → OrderCancelled.
 */
export function react(order: Order, now: string): Array<EventOf<'OrderConfirmed'> | EventOf<'OrderRejected'> | EventOf<'OrderCancelled'>> {
  if (order.status === 'CONFIRMED' && order.cancellation && order.shipmentCancelled) {
    return [{ type: 'OrderCancelled', data: { orderId: order.orderId, reason: order.cancellation.reason, cancelledAt: now } }];
  }
  if (order.status !== 'PENDING') return [];
  const { payment, stock } = order;
  if (stock.status === 'UNAVAILABLE') {
    const detail = stock.missing.map((m) => `${m.sku}: requested ${m.requested}, available ${m.available}`).join('; ');
    return [{ type: 'OrderRejected', data: { orderId: order.orderId, reason: 'OUT_OF_STOCK', detail, rejectedAt: now } }];
  }
  if (payment.status === 'DECLINED') {
    const detail = payment.reason === 'NO_ACCOUNT' ? 'the customer has no account' : 'the balance does not cover the total';
    return [{ type: 'OrderRejected', data: { orderId: order.orderId, reason: 'PAYMENT_DECLINED', detail, rejectedAt: now } }];
  }
  if (payment.status === 'PROCESSED' && stock.status === 'RESERVED') {
    return [{ type: 'OrderConfirmed', data: { orderId: order.orderId, paymentId: payment.paymentId, confirmedAt: now } }];
  }
  return [];
}
