/**
 * The order view read model: the fold (`evolve`, domain/order.ts) of every event about the order,
 * from every topic, stored in `orders`. Runs live and in a replay, after the timeline: an answer
 * that comes before its request (a replay may read other topics ahead of the orders topic) has no
 * order to fold into yet and waits in the timeline, which the request then folds in.
 */
import type { Projection } from '@webshop/domain';
import { onEach, type Reactions } from '@webshop/runtime';
import type { PoolClient } from '@webshop/postgres';
import { evolve, orderEventTypes, type Order, type OrderEvent } from '../domain/order';
import { orderStore } from '../adapters/pg/order-store';
import { timelineOf } from '../adapters/pg/timeline-store';

export const orderViewFold: Projection<Order, OrderEvent> = { evolve };

/** The events of the order's timeline other than `eventId`, as the fold takes them. */
async function earlierEvents(tx: PoolClient, orderId: string, eventId: string): Promise<OrderEvent[]> {
  const entries = await timelineOf(tx, orderId);
  return entries.filter((e) => e.eventId !== eventId).map((e) => ({ type: e.type, data: e.data }) as OrderEvent);
}

export const orderViewProjection: Reactions = onEach(orderEventTypes, async (incoming, tx) => {
  const event = incoming as typeof incoming & OrderEvent;
  const store = orderStore(event.data.orderId);
  const before = await store.load(tx);
  const after =
    before || event.type !== 'PurchaseRequested'
      ? orderViewFold.evolve(before, event)
      : (await earlierEvents(tx, event.data.orderId, incoming.eventId)).reduce(orderViewFold.evolve, orderViewFold.evolve(null, event));
  if (after !== before) await store.save(tx, after, { before, events: [event] });
});
