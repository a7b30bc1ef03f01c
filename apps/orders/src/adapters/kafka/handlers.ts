/**
 * What orders does with each event it reads, inside the consumer's transaction:
 *   1. projection: the event joins the order's timeline and is folded into the order view;
 *   2. workflow (live only, not in a replay): the saga decides, and its decisions go to the outbox
 *      and into the view at once.
 * ProductUpdated keeps orders' copy of the catalogue.
 */
import { topics, type EventType } from '@webshop/events';
import { appendToOutbox, type AnyIncomingEvent, type EventHandler, type EventHandlers } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { react } from '../../domain/decide';
import { evolve, orderEventTypes, type Order, type OrderEvent } from '../../domain/order';
import { appendToTimeline, loadOrder, lockOrder, saveOrder, timelineOf, upsertCatalogue } from '../pg/order-store';

export const consumedTopics = [topics.orders, topics.payments, topics.stock, topics.products, topics.shipments, topics.emails];

export type Mode = 'live' | 'replay';

/** Folds `event` into the order; an answer that came before its request waits in the timeline. */
async function project(tx: PoolClient, event: AnyIncomingEvent & OrderEvent): Promise<{ before: Order | null; after: Order | null }> {
  const orderId = event.data.orderId;
  await lockOrder(tx, orderId);
  await appendToTimeline(tx, orderId, event);
  const before = await loadOrder(tx, orderId);
  let after: Order | null;
  if (before) {
    after = evolve(before, event);
  } else if (event.type === 'PurchaseRequested') {
    // A replay may read other topics ahead of this one: fold what is already in the timeline.
    const earlier = (await timelineOf(tx, orderId)).filter((e) => e.eventId !== event.eventId);
    after = earlier.reduce<Order | null>((order, e) => evolve(order, { type: e.type, data: e.data } as OrderEvent), evolve(null, event));
  } else {
    after = null;
  }
  if (after && after !== before) await saveOrder(tx, after);
  return { before, after };
}

export function orderEventHandlers(mode: Mode, clock: () => Date = () => new Date()): EventHandlers {
  const onOrderEvent: EventHandler<OrderEvent['type']> = async (event, tx) => {
    const incoming = event as AnyIncomingEvent & OrderEvent;
    const { after } = await project(tx, incoming);
    if (mode === 'replay' || !after) return;
    const decisions = react(after, clock().toISOString());
    if (decisions.length === 0) return;
    await appendToOutbox(tx, 'orders', decisions.map((d) => ({ ...d, causedBy: incoming })));
    await saveOrder(tx, decisions.reduce<Order | null>((order, d) => evolve(order, d), after)!);
  };
  const handlers: EventHandlers = {
    ProductUpdated: (event, tx) => upsertCatalogue(tx, event.data),
  };
  for (const type of orderEventTypes) (handlers as Record<EventType, unknown>)[type] = onOrderEvent;
  return handlers;
}
