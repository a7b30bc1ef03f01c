/**
 * The order view read model: the fold (`evolve`, domain/order.ts) of every event about the order,
 * from every topic, stored in `orders`. Runs live and in a replay, after the timeline: an answer
 * that comes before its request (a replay may read other topics ahead of the orders topic) has no
 * order to fold into yet and waits in the timeline, which the request then folds in.
 */
import type { Projection } from '@webshop/domain';
import type { IncomingEvent } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { evolve, type Order, type OrderEvent } from '../domain/order';
import { timelineOf } from '../adapters/pg/timeline-store';

export const orderViewFold: Projection<Order, OrderEvent> = { evolve };

/** The events of the order's timeline other than `eventId`, as the fold takes them. */
async function earlierEvents(tx: PoolClient, orderId: string, eventId: string): Promise<OrderEvent[]> {
  const entries = await timelineOf(tx, orderId);
  return entries.filter((e) => e.eventId !== eventId).map((e) => ({ type: e.type, data: e.data }) as OrderEvent);
}

/** The order with `incoming` folded in; the request of an order also folds in the answers that came first. */
export async function foldIntoOrder(tx: PoolClient, before: Order | null, incoming: IncomingEvent): Promise<Order | null> {
  const event = incoming as typeof incoming & OrderEvent;
  if (before || event.type !== 'PurchaseRequested') return orderViewFold.evolve(before, event);
  return (await earlierEvents(tx, event.data.orderId, incoming.eventId)).reduce(orderViewFold.evolve, orderViewFold.evolve(null, event));
}
