/**
 * The saga's turn after each event about an order (live only: a replay must not decide again).
 * It runs after the projections, in the consumer's transaction, so it decides on the order view
 * with the event folded in; its decisions are folded into the view at once and go to the outbox,
 * caused by the event in hand.
 */
import { decideAndRecord, onEach, type Reactions } from '@webshop/runtime';
import { evolve, orderEventTypes, type OrderEvent } from '../domain/order';
import { orderStore } from '../adapters/pg/order-store';
import { orderSaga } from './order-saga';

const saga = { decide: orderSaga.decide, evolve };

export function orderSagaReaction(clock: () => Date): Reactions {
  return onEach(orderEventTypes, async (incoming, tx) => {
    const { orderId } = (incoming as typeof incoming & OrderEvent).data;
    await decideAndRecord(tx, 'orders', saga, orderStore(orderId), () => ({ now: clock().toISOString() }), incoming);
  });
}
