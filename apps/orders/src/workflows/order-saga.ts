/**
 * The order saga: given the order once an event about it was folded in, what orders publishes.
 *   payment and stock both succeeded                 → OrderConfirmed;
 *   either failed (stock's answer first, if both in)  → OrderRejected;
 *   shipping cancelled the shipment orders asked for → OrderCancelled.
 * The order in which the answers came does not matter, and each decision is made once: the order
 * it leads to (folded in at once) decides nothing more. Pure: the time comes in.
 */
import type { Workflow } from '@webshop/domain';
import type { EventOf } from '@webshop/events';
import type { Order } from '../domain/order';

/** An event was folded into the order: the saga's turn, at `now`. */
export interface SagaStep {
  now: string;
}

export type SagaDecision = EventOf<'OrderConfirmed'> | EventOf<'OrderRejected'> | EventOf<'OrderCancelled'>;

function decide({ now }: SagaStep, order: Order | null): SagaDecision[] {
  // An answer about an order never requested waits in the timeline; nothing to decide yet.
  if (!order) return [];
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

export const orderSaga: Workflow<SagaStep, Order | null, SagaDecision> = { decide };
