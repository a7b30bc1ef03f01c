/**
 * What orders does with each event it reads, inside the consumer's transaction (the runner records
 * the event id in the inbox in the same one), in this order:
 *   projections (live and in a replay): the event joins the order's timeline and is folded into the
 *     order view; ProductUpdated keeps orders' copy of the catalogue;
 *   workflow (live only): the order saga decides on the view, and its decisions go to the outbox.
 */
import { topics } from '@webshop/events';
import type { EventHandlers } from '@webshop/kafka';
import { eventHandlersFor, type Mode } from '@webshop/runtime';
import { catalogueProjection } from '../../projections/catalogue';
import { orderViewProjection } from '../../projections/order-view';
import { timelineProjection } from '../../projections/timeline';
import { orderSagaReaction } from '../../workflows/order-saga-reaction';

export const consumedTopics = [topics.orders, topics.payments, topics.stock, topics.products, topics.shipments, topics.emails];

export function orderEventHandlers(mode: Mode, clock: () => Date = () => new Date()): EventHandlers {
  return eventHandlersFor(
    { projections: [timelineProjection, orderViewProjection, catalogueProjection], workflows: [orderSagaReaction(clock)] },
    mode,
  );
}
