/**
 * Shipping's part in the order flow: what it does about each event of the orders topic it acts on.
 *   OrderConfirmed                             → schedule the order's shipment, once per order;
 *   OrderCancellationRequested, OrderCancelled → cancel the shipment if it has not left yet. The
 *                                                shipment's row lock orders this against a dispatch:
 *                                                whichever comes first wins, and ShipmentCancelled or
 *                                                ShipmentDispatched tells orders which one it was.
 * Orders publishes OrderCancelled after ShipmentCancelled (nothing left to do by then) or for a
 * PENDING order (no shipment); an older orders also sent it for CONFIRMED orders. Live only: a
 * replay must not act again. Pure: the id and the time come in.
 */
import { byType } from '@webshop/domain';
import type { EventOf } from '@webshop/events';
import type { ShippingCommand } from '../domain/decide';

/** What cancels a shipment that has not left. */
export const cancellationTriggers = ['OrderCancellationRequested', 'OrderCancelled'] as const;
export type ShipmentTrigger = EventOf<'OrderConfirmed' | (typeof cancellationTriggers)[number]>;

const cancel = (_event: unknown, { now }: { now: string }): ShippingCommand => ({ type: 'CancelShipment', now });

export const commandFor = byType<ShipmentTrigger, [{ shipmentId: string; now: string }], ShippingCommand>({
  OrderConfirmed: (event, { shipmentId, now }) => ({ type: 'ScheduleShipment', orderId: event.data.orderId, shipmentId, now }),
  OrderCancellationRequested: cancel,
  OrderCancelled: cancel,
});
