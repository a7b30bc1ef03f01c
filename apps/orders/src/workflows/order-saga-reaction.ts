/**
 * The order view and the saga that decides on it, as one view of the runtime's: for each event about
 * an order, the order is loaded (locked) once, the event folded in (live and in a replay), and, live
 * only, the saga decides on the order with the event in it; its decisions are folded into the view
 * at once and go to the outbox, caused by the event in hand; the order is saved once.
 */
import { decidingView, type ModalReactions } from '@webshop/runtime';
import { evolve, orderEventTypes, type OrderEvent } from '../domain/order';
import { orderStore } from '../adapters/pg/order-store';
import { foldIntoOrder } from '../projections/order-view';
import { orderSaga } from './order-saga';

export function orderViewAndSaga(clock: () => Date): ModalReactions {
  return decidingView({
    service: 'orders',
    types: orderEventTypes,
    store: (event) => orderStore((event as typeof event & OrderEvent).data.orderId),
    fold: foldIntoOrder,
    workflow: { decide: orderSaga.decide, evolve },
    step: () => ({ now: clock().toISOString() }),
  });
}
