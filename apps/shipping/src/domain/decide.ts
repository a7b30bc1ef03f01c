/**
 * What the shipping service decides, as one decider over an order's shipment: scheduling it when the
 * order is confirmed, dispatching and delivering it (from its API or the auto-dispatcher), and
 * cancelling it when the order is cancelled before the parcel left. Pure: ids, tracking numbers and
 * time come in with the command.
 */
import { byType, DomainError, type Decider } from '@webshop/domain';
import { evolve, noShipment, type Shipment, type ShipmentEvent, type ShipmentStatus } from './shipment';

export type ShippingCommand =
  /** The order was confirmed: send it, once per order. `shipmentId` is the id a new shipment gets. */
  | { type: 'ScheduleShipment'; orderId: string; shipmentId: string; now: string }
  /** The parcel leaves, with the tracking number it is given. */
  | { type: 'DispatchShipment'; orderId: string; trackingNumber: string; now: string }
  | { type: 'DeliverShipment'; orderId: string; now: string }
  /** The order's cancellation was requested, or done: stop the parcel unless it left. */
  | { type: 'CancelShipment'; now: string };

export const decide = byType<ShippingCommand, [Shipment | null], ShipmentEvent[]>({
  ScheduleShipment: schedule,
  DispatchShipment: dispatch,
  DeliverShipment: deliver,
  CancelShipment: cancel,
});

export const shippingDecider: Decider<ShippingCommand, Shipment | null, ShipmentEvent> = { decide, evolve, initialState: noShipment };

const notFound = (orderId: string) => new DomainError(404, 'not_found', `no shipment for order ${orderId}`);

/** 409 invalid_shipment_state, naming the status that refused the step (the API contract). */
const refuse = (shipment: Shipment, action: string, requiredStatus: ShipmentStatus): DomainError =>
  new DomainError(
    409,
    'invalid_shipment_state',
    `the shipment of order ${shipment.orderId} is ${shipment.status}; only a ${requiredStatus} shipment can be ${action}`,
    [],
    { currentStatus: shipment.status },
  );

/** One shipment per order: a second confirmation (or one after a cancellation) schedules nothing. */
function schedule({ orderId, shipmentId, now }: Extract<ShippingCommand, { type: 'ScheduleShipment' }>, existing: Shipment | null): ShipmentEvent[] {
  if (existing) return [];
  return [{ type: 'ShipmentScheduled', data: { orderId, shipmentId, trackingNumber: null, at: now } }];
}

function dispatch({ orderId, trackingNumber, now }: Extract<ShippingCommand, { type: 'DispatchShipment' }>, shipment: Shipment | null): ShipmentEvent[] {
  if (!shipment) throw notFound(orderId);
  if (shipment.status !== 'SCHEDULED') throw refuse(shipment, 'dispatched', 'SCHEDULED');
  return [{ type: 'ShipmentDispatched', data: { orderId: shipment.orderId, shipmentId: shipment.shipmentId, trackingNumber, at: now } }];
}

function deliver({ orderId, now }: Extract<ShippingCommand, { type: 'DeliverShipment' }>, shipment: Shipment | null): ShipmentEvent[] {
  if (!shipment) throw notFound(orderId);
  if (shipment.status !== 'DISPATCHED') throw refuse(shipment, 'delivered', 'DISPATCHED');
  return [
    { type: 'ShipmentDelivered', data: { orderId: shipment.orderId, shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, at: now } },
  ];
}

/**
 * A cancellation (requested, or done) before the parcel left cancels the shipment. Once dispatched
 * the parcel is on its way and nothing changes: the dispatch wins, and orders learns it from
 * ShipmentDispatched. With no shipment there is nothing to cancel.
 */
function cancel({ now }: Extract<ShippingCommand, { type: 'CancelShipment' }>, shipment: Shipment | null): ShipmentEvent[] {
  if (shipment?.status !== 'SCHEDULED') return [];
  return [{ type: 'ShipmentCancelled', data: { orderId: shipment.orderId, shipmentId: shipment.shipmentId, trackingNumber: null, at: now } }];
}
