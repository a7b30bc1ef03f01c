/**
 * Shipping's consumer, inside the consumer's transaction for each record of the orders topic:
 *   PurchaseRequested → remember where the order goes (projections/order-addresses.ts: live and in
 *                       a replay);
 *   OrderConfirmed, OrderCancellationRequested, OrderCancelled
 *                     → a command (workflows/shipment-for-order.ts) decided on the order's locked
 *                       shipment (live only).
 */
import { randomUUID } from 'node:crypto';
import { topicsReadBy } from '@webshop/events';
import { NonRetriableError, type EventHandler, type EventHandlers, type IncomingEvent } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { decideAndRecord, eventHandlersFor, onEach, type Mode } from '@webshop/runtime';
import type { Logger } from '@webshop/service-kit';
import { shippingDecider } from '../../domain/decide';
import { orderAddresses, orderAddressTriggers } from '../../projections/order-addresses';
import { cancellationTriggers, commandFor, type ShipmentTrigger } from '../../workflows/shipment-for-order';
import { loadOrderAddress, rememberOrderAddress, shipmentOf } from '../pg/shipment-store';

/** What the registry says shipping reads (and the broker's ACLs let it read). */
export const consumedTopics = topicsReadBy('shipping');

export interface HandlerDependencies {
  logger: Logger;
  clock?: () => Date;
  newShipmentId?: () => string;
}

export function shippingEventHandlers(mode: Mode, { logger, clock = () => new Date(), newShipmentId = randomUUID }: HandlerDependencies): EventHandlers {
  const projectAddress = onEach(orderAddressTriggers, async (event, tx) => {
    const known = await loadOrderAddress(tx, event.data.orderId);
    const next = orderAddresses.evolve(known, event);
    if (next && next !== known) await rememberOrderAddress(tx, next);
  });

  /** Decides what the event calls for on the order's locked shipment; the time is read once the lock is held. */
  const decide = (incoming: IncomingEvent<ShipmentTrigger['type']>, tx: PoolClient, store: ReturnType<typeof shipmentOf>) => {
    const event = incoming as typeof incoming & ShipmentTrigger;
    const command = () => commandFor(event, { shipmentId: newShipmentId(), now: clock().toISOString() });
    return decideAndRecord(tx, 'shipping', shippingDecider, store, command, incoming);
  };

  const schedule: EventHandler<'OrderConfirmed'> = async (event, tx) => {
    const { orderId } = event.data;
    // PurchaseRequested comes first on the order's partition, so its address is known by now.
    const order = await loadOrderAddress(tx, orderId);
    if (!order) throw new NonRetriableError('unknown_order', `order ${orderId} was confirmed, but shipping never saw it requested`);
    await decide(event, tx, shipmentOf(orderId, order.address));
  };

  const cancelUnlessLeft = onEach(cancellationTriggers, async (event, tx) => {
    const { orderId } = event.data;
    const { before, events } = await decide(event, tx, shipmentOf(orderId));
    if (events.length === 0 && before && before.status !== 'CANCELLED') {
      logger.info('cancellation came after the parcel left; the shipment stays', { status: before.status });
    }
  });

  return eventHandlersFor({ projections: [projectAddress], workflows: [{ OrderConfirmed: schedule }, cancelUnlessLeft] }, mode);
}
