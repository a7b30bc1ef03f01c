/**
 * What the orders service decides about an order on its customers' commands (its API): placing it
 * and cancelling it. One decider over the order as the events tell it (order.ts); the order saga,
 * what orders does when the other services answer, is a workflow of its own (workflows/).
 * Pure: ids, time and the prices come in with the command.
 */
import { byType, DomainError, type Decider } from '@webshop/domain';
import type { EventData, EventOf } from '@webshop/events';
import { evolve, noOrder, type Order, type OrderEvent } from './order';

/** The catalogue as orders knows it (its own copy, built from the products topic). */
export type PriceList = ReadonlyMap<string, { priceCents: number }>;

export type OrderCommand =
  /** Price every line from the catalogue copy the caller looked the skus up in, and request the purchase. */
  | {
      type: 'PlaceOrder';
      orderId: string;
      customerId: string;
      email: string;
      lines: ReadonlyArray<{ sku: string; quantity: number }>;
      shippingAddress: EventData<'PurchaseRequested'>['shippingAddress'];
      prices: PriceList;
      now: string;
    }
  /** Cancel the order, or ask shipping to, while its parcel has not left. */
  | { type: 'CancelOrder'; orderId: string; reason: string; now: string };

export type OrderDecision = EventOf<'PurchaseRequested'> | EventOf<'OrderCancelled'> | EventOf<'OrderCancellationRequested'>;

export const decide = byType<OrderCommand, [Order | null], OrderDecision[]>({ PlaceOrder: placeOrder, CancelOrder: cancelOrder });

export const orderDecider: Decider<OrderCommand, Order | null, OrderEvent> = { decide, evolve, initialState: noOrder };

/** Prices every line from the catalogue; refuses an order naming a sku the catalogue lacks. An order is placed once. */
function placeOrder(command: Extract<OrderCommand, { type: 'PlaceOrder' }>, order: Order | null): OrderDecision[] {
  if (order) return [];
  const { prices } = command;
  const unknown = command.lines.map((line, i) => ({ line, i })).filter(({ line }) => !prices.has(line.sku));
  if (unknown.length > 0) {
    throw new DomainError(
      422,
      'unknown_sku',
      `unknown sku: ${unknown.map(({ line }) => line.sku).join(', ')}`,
      unknown.map(({ line, i }) => ({ path: `items.${i}.sku`, message: `no product with sku ${line.sku}` })),
    );
  }
  const items = command.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPriceCents: prices.get(line.sku)!.priceCents }));
  return [
    {
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
    },
  ];
}

/**
 * Cancellation is allowed until the shipment is dispatched. A PENDING order has no shipment and
 * orders alone decides its fate: it is cancelled at once. A CONFIRMED order's parcel may be leaving
 * at this very moment, and only shipping knows: orders asks (OrderCancellationRequested), shipping
 * cancels the shipment unless it was dispatched first, and the saga cancels the order on its answer.
 * Asking again while the request is open asks nothing new.
 */
function cancelOrder({ orderId, reason, now }: Extract<OrderCommand, { type: 'CancelOrder' }>, order: Order | null): OrderDecision[] {
  if (!order) throw new DomainError(404, 'not_found', `no order ${orderId}`);
  if (order.status === 'PENDING') {
    return [{ type: 'OrderCancelled', data: { orderId, reason, cancelledAt: now } }];
  }
  if (order.status === 'CONFIRMED') {
    if (order.cancellation) return [];
    return [{ type: 'OrderCancellationRequested', data: { orderId, reason, requestedAt: now } }];
  }
  throw new DomainError(409, 'not_cancellable', `order ${orderId} is ${order.status} and can no longer be cancelled`);
}

/**
 * What a cancellation came to once shipping answered, or did not in time: the order as it stands,
 * unless the parcel left first, which refuses the cancellation after all.
 */
export function cancellationOutcome(order: Order): Order {
  if (order.status === 'SHIPPED' || order.status === 'DELIVERED') {
    throw new DomainError(409, 'not_cancellable', `the parcel of order ${order.orderId} left before the cancellation reached shipping`);
  }
  return order;
}
