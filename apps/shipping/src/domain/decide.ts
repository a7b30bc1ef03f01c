/**
 * What the shipping service decides: scheduling a shipment when an order is confirmed, dispatching
 * and delivering it (from its API or the auto-dispatcher), and cancelling it when the order is
 * cancelled before the parcel left. Pure: ids, tracking numbers and time come in.
 */
import type { EventOf } from '@webshop/events';
import type { Shipment, ShipmentStatus } from './shipment';

export class ShipmentRuleViolation extends Error {
  constructor(
    readonly code: 'invalid_shipment_state',
    message: string,
    readonly currentStatus: ShipmentStatus,
  ) {
    super(message);
    this.name = 'ShipmentRuleViolation';
  }
}

const refuse = (shipment: Shipment, action: string, requiredStatus: ShipmentStatus): ShipmentRuleViolation =>
  new ShipmentRuleViolation(
    'invalid_shipment_state',
    `the shipment of order ${shipment.orderId} is ${shipment.status}; only a ${requiredStatus} shipment can be ${action}`,
    shipment.status,
  );

/** One shipment per order: a second confirmation (or one after a cancellation) schedules nothing. */
export function scheduleShipment(
  existing: Shipment | null,
  command: { orderId: string; shipmentId: string; now: string },
): Array<EventOf<'ShipmentScheduled'>> {
  if (existing) return [];
  return [{ type: 'ShipmentScheduled', data: { orderId: command.orderId, shipmentId: command.shipmentId, trackingNumber: null, at: command.now } }];
}

export function dispatchShipment(shipment: Shipment, command: { trackingNumber: string; now: string }): EventOf<'ShipmentDispatched'> {
  if (shipment.status !== 'SCHEDULED') throw refuse(shipment, 'dispatched', 'SCHEDULED');
  return {
    type: 'ShipmentDispatched',
    data: { orderId: shipment.orderId, shipmentId: shipment.shipmentId, trackingNumber: command.trackingNumber, at: command.now },
  };
}

export function deliverShipment(shipment: Shipment, command: { now: string }): EventOf<'ShipmentDelivered'> {
  if (shipment.status !== 'DISPATCHED') throw refuse(shipment, 'delivered', 'DISPATCHED');
  return {
    type: 'ShipmentDelivered',
    data: { orderId: shipment.orderId, shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, at: command.now },
  };
}

/**
 * A cancellation (requested, or done) before the parcel left cancels the shipment. Once dispatched
 * the parcel is on its way and nothing changes: the dispatch wins, and orders learns it from
 * ShipmentDispatched. With no shipment there is nothing to cancel.
 */
export function cancelShipment(shipment: Shipment | null, command: { now: string }): Array<EventOf<'ShipmentCancelled'>> {
  if (shipment?.status !== 'SCHEDULED') return [];
  return [{ type: 'ShipmentCancelled', data: { orderId: shipment.orderId, shipmentId: shipment.shipmentId, trackingNumber: null, at: command.now } }];
}
