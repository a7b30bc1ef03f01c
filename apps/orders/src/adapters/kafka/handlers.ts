/**
 * What orders does with each event it reads, inside the consumer's transaction (the runner records
 * the event id in the inbox in the same one), in this order:
 *   projections (live and in a replay): the event joins the order's timeline; ProductUpdated keeps
 *     orders' copy of the catalogue;
 *   the order view (live and in a replay) and its saga (live only): the event is folded into the
 *     order, the saga decides on the result, its decisions go to the outbox, the order is saved once.
 */
import { topicsReadBy } from '@webshop/events';
import type { EventHandlers } from '@webshop/kafka';
import { eventHandlersFor, type Mode } from '@webshop/runtime';
import { catalogueProjection } from '../../projections/catalogue';
import { timelineProjection } from '../../projections/timeline';
import { orderViewAndSaga } from '../../workflows/order-saga-reaction';

/** What the registry says orders reads (and the broker's ACLs let it read). */
export const consumedTopics = topicsReadBy('orders');

export function orderEventHandlers(mode: Mode, clock: () => Date = () => new Date()): EventHandlers {
  return eventHandlersFor(
    { projections: [timelineProjection, catalogueProjection], views: [orderViewAndSaga(clock)] },
    mode,
  );
}
