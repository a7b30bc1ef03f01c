/**
 * What shipping does with each event of the orders topic, inside the consumer's transaction:
 *   PurchaseRequested → remember where the order goes (projection: also in a replay);
 *   OrderConfirmed    → schedule its shipment, once per order (live only);
 *   OrderCancellationRequested, OrderCancelled
 *                     → cancel the shipment if it has not left yet (live only). The shipment's row
 *                       lock orders this against a dispatch: whichever comes first wins, and
 *                       ShipmentCancelled or ShipmentDispatched tells orders which one it was.
 */
import { randomUUID } from 'node:crypto';
import { topics } from '@webshop/events';
import { appendToOutbox, NonRetriableError, type AnyIncomingEvent, type EventHandlers } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import type { Logger } from '@webshop/service-kit';
import { cancelShipment, scheduleShipment } from '../../domain/decide';
import { evolve } from '../../domain/shipment';
import { insertShipment, loadOrderAddress, loadShipment, recordShipmentChange, rememberOrderAddress } from '../pg/shipment-store';

export const consumedTopics = [topics.orders];

export type Mode = 'live' | 'replay';

export interface HandlerDependencies {
  logger: Logger;
  clock?: () => Date;
  newShipmentId?: () => string;
}

export function shippingEventHandlers(mode: Mode, { logger, clock = () => new Date(), newShipmentId = randomUUID }: HandlerDependencies): EventHandlers {
  const projection: EventHandlers = {
    PurchaseRequested: (event, tx) => rememberOrderAddress(tx, event.data),
  };
  if (mode === 'replay') return projection;

  const cancelUnlessLeft = async (event: Extract<AnyIncomingEvent, { type: 'OrderCancellationRequested' | 'OrderCancelled' }>, tx: PoolClient) => {
    const { orderId } = event.data;
    const current = await loadShipment(tx, orderId, true);
    const [cancelled] = cancelShipment(current?.shipment ?? null, { now: clock().toISOString() });
    if (!cancelled) {
      if (current && current.shipment.status !== 'CANCELLED') {
        logger.info('cancellation came after the parcel left; the shipment stays', { orderId, status: current.shipment.status, event: event.type });
      }
      return;
    }
    await recordShipmentChange(tx, current!, cancelled, event);
  };

  return {
    ...projection,

    OrderConfirmed: async (event, tx) => {
      const { orderId } = event.data;
      // PurchaseRequested comes first on the order's partition, so its address is known by now.
      const order = await loadOrderAddress(tx, orderId);
      if (!order) throw new NonRetriableError('unknown_order', `order ${orderId} was confirmed, but shipping never saw it requested`);
      const existing = await loadShipment(tx, orderId, true);
      const [scheduled] = scheduleShipment(existing?.shipment ?? null, { orderId, shipmentId: newShipmentId(), now: clock().toISOString() });
      if (!scheduled) return;
      if (await insertShipment(tx, evolve(null, scheduled)!, order.address)) {
        await appendToOutbox(tx, 'shipping', [{ ...scheduled, causedBy: event }]);
      }
    },

    OrderCancellationRequested: cancelUnlessLeft,
    // Orders publishes this after ShipmentCancelled (the shipment is CANCELLED by then: nothing to
    // do), or for a PENDING order (no shipment); an older orders also sent it for CONFIRMED orders.
    OrderCancelled: cancelUnlessLeft,
  };
}
