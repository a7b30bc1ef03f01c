/**
 * The timeline read model: every event about an order, from every topic, appended in commit order
 * under the order's lock (its position is the live stream's event id). Runs live and in a replay.
 */
import type { AnyIncomingEvent } from '@webshop/kafka';
import { onEach, type Reactions } from '@webshop/runtime';
import { orderEventTypes, type OrderEvent } from '../domain/order';
import { lockOrder } from '../adapters/pg/order-store';
import { appendToTimeline } from '../adapters/pg/timeline-store';

export const timelineProjection: Reactions = onEach(orderEventTypes, async (incoming, tx) => {
  const event = incoming as AnyIncomingEvent & OrderEvent;
  await lockOrder(tx, event.data.orderId);
  await appendToTimeline(tx, event.data.orderId, event);
});
