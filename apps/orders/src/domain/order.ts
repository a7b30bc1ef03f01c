/**
 * An order as the orders service knows it, and how each event changes it. Pure: no I/O, no clock.
 *
 * `evolve` is a left fold over every event about the order, from every topic. It is monotonic (a
 * status only moves forward), idempotent (an event applied twice changes nothing the second time)
 * and indifferent to the order in which different topics are read (only events on one topic keep
 * their order), so the same function serves the live service, which applies its own decisions at
 * once and sees them again when they come back from Kafka, and a replay that rebuilds the view from
 * the log.
 */
import type {
  EventOf,
  OrderRejectionReason,
  PaymentDeclineReason,
  MissingStock,
  PurchaseRequested,
} from '@webshop/events';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'SHIPPED' | 'DELIVERED';
export const orderStatuses: readonly OrderStatus[] = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'SHIPPED', 'DELIVERED'];
/** Nothing happens to an order after these. */
export const finalStatuses: readonly OrderStatus[] = ['REJECTED', 'CANCELLED', 'DELIVERED'];

export type PaymentState =
  | { status: 'AWAITING' }
  | { status: 'PROCESSED'; paymentId: string }
  | { status: 'DECLINED'; reason: PaymentDeclineReason }
  | { status: 'REFUNDED'; paymentId: string };

export type StockState =
  | { status: 'AWAITING' }
  | { status: 'RESERVED' }
  | { status: 'UNAVAILABLE'; missing: MissingStock[] }
  | { status: 'RELEASED' };

/**
 * A confirmed order's cancellation, asked for: shipping answers with ShipmentCancelled (the parcel
 * had not left; orders then publishes OrderCancelled) or ShipmentDispatched (too late).
 */
export interface CancellationRequest {
  reason: string;
  requestedAt: string;
}

/** What the customer asked for (PurchaseRequested, less its time) and where the order stands. */
export interface Order extends Omit<PurchaseRequested, 'requestedAt'> {
  status: OrderStatus;
  rejectionReason: OrderRejectionReason | null;
  payment: PaymentState;
  stock: StockState;
  cancellation: CancellationRequest | null;
  /** Shipping cancelled the order's shipment. Kept apart from `cancellation` so that the fold does
   *  not depend on which of the two topics a replay reads first. */
  shipmentCancelled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Every event the order's story is told with. */
export type OrderEvent =
  | EventOf<'PurchaseRequested'>
  | EventOf<'OrderConfirmed'>
  | EventOf<'OrderRejected'>
  | EventOf<'OrderCancellationRequested'>
  | EventOf<'OrderCancelled'>
  | EventOf<'PaymentProcessed'>
  | EventOf<'PaymentDeclined'>
  | EventOf<'PaymentRefunded'>
  | EventOf<'StockReserved'>
  | EventOf<'StockUnavailable'>
  | EventOf<'StockReleased'>
  | EventOf<'ShipmentScheduled'>
  | EventOf<'ShipmentDispatched'>
  | EventOf<'ShipmentDelivered'>
  | EventOf<'ShipmentCancelled'>
  | EventOf<'EmailSent'>;

export const orderEventTypes = [
  'PurchaseRequested',
  'OrderConfirmed',
  'OrderRejected',
  'OrderCancellationRequested',
  'OrderCancelled',
  'PaymentProcessed',
  'PaymentDeclined',
  'PaymentRefunded',
  'StockReserved',
  'StockUnavailable',
  'StockReleased',
  'ShipmentScheduled',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'ShipmentCancelled',
  'EmailSent',
] as const satisfies ReadonlyArray<OrderEvent['type']>;

const moveTo = (order: Order, status: OrderStatus, from: readonly OrderStatus[], at: string): Order =>
  from.includes(order.status) ? { ...order, status, updatedAt: at } : order;

/** The order before its PurchaseRequested: none. */
export const noOrder = (): Order | null => null;

export function evolve(order: Order | null, event: OrderEvent): Order | null {
  if (event.type === 'PurchaseRequested') {
    if (order) return order; // seen already (our own event, coming back from Kafka)
    const d = event.data;
    return {
      orderId: d.orderId,
      customerId: d.customerId,
      email: d.email,
      items: d.items,
      totalCents: d.totalCents,
      shippingAddress: d.shippingAddress,
      status: 'PENDING',
      rejectionReason: null,
      payment: { status: 'AWAITING' },
      stock: { status: 'AWAITING' },
      cancellation: null,
      shipmentCancelled: false,
      createdAt: d.requestedAt,
      updatedAt: d.requestedAt,
    };
  }
  // Answers about an order we never saw requested cannot be placed anywhere; nothing to change.
  if (!order) return null;
  switch (event.type) {
    case 'OrderConfirmed':
      return moveTo(order, 'CONFIRMED', ['PENDING'], event.data.confirmedAt);
    case 'OrderRejected': {
      const moved = moveTo(order, 'REJECTED', ['PENDING'], event.data.rejectedAt);
      return moved === order ? order : { ...moved, rejectionReason: event.data.reason };
    }
    case 'OrderCancellationRequested': {
      if (order.cancellation) return order;
      const { reason, requestedAt } = event.data;
      return { ...order, cancellation: { reason, requestedAt }, updatedAt: order.updatedAt > requestedAt ? order.updatedAt : requestedAt };
    }
    case 'OrderCancelled':
      return moveTo(order, 'CANCELLED', ['PENDING', 'CONFIRMED'], event.data.cancelledAt);
    case 'PaymentProcessed':
      return order.payment.status === 'AWAITING' ? { ...order, payment: { status: 'PROCESSED', paymentId: event.data.paymentId } } : order;
    case 'PaymentDeclined':
      return order.payment.status === 'AWAITING' ? { ...order, payment: { status: 'DECLINED', reason: event.data.reason } } : order;
    case 'PaymentRefunded':
      return { ...order, payment: { status: 'REFUNDED', paymentId: event.data.paymentId } };
    case 'StockReserved':
      return order.stock.status === 'AWAITING' ? { ...order, stock: { status: 'RESERVED' } } : order;
    case 'StockUnavailable':
      return order.stock.status === 'AWAITING' ? { ...order, stock: { status: 'UNAVAILABLE', missing: event.data.missing } } : order;
    case 'StockReleased':
      return { ...order, stock: { status: 'RELEASED' } };
    // Shipping dispatches only confirmed orders, but a replay may read the shipments topic ahead of
    // the orders topic: from PENDING too, so that the fold comes out the same in any order.
    case 'ShipmentDispatched':
      return moveTo(order, 'SHIPPED', ['PENDING', 'CONFIRMED'], event.data.at);
    case 'ShipmentDelivered':
      return moveTo(order, 'DELIVERED', ['PENDING', 'CONFIRMED', 'SHIPPED'], event.data.at);
    case 'ShipmentCancelled':
      return order.shipmentCancelled ? order : { ...order, shipmentCancelled: true };
    case 'ShipmentScheduled':
    case 'EmailSent':
      return order; // part of the story (the timeline), not of the order's state
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
