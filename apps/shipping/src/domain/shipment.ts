/**
 * A shipment as the shipping service knows it, and how each of its events changes it. Pure: no
 * I/O, no clock.
 *
 * One shipment per order: scheduled when the order is confirmed, then dispatched and delivered; or
 * cancelled while it is still only scheduled. `evolve` is monotonic (a status only moves forward) and
 * idempotent (an event applied twice changes nothing the second time). Where the parcel goes is not
 * part of this state: no rule here depends on it, and the store keeps it beside the shipment.
 */
import type { EventOf } from '@webshop/events';

export const shipmentStatuses = ['SCHEDULED', 'DISPATCHED', 'DELIVERED', 'CANCELLED'] as const;
export type ShipmentStatus = (typeof shipmentStatuses)[number];

interface ShipmentBase {
  orderId: string;
  shipmentId: string;
  scheduledAt: string;
}

export type Shipment =
  | (ShipmentBase & { status: 'SCHEDULED' })
  | (ShipmentBase & { status: 'DISPATCHED'; trackingNumber: string; dispatchedAt: string })
  | (ShipmentBase & { status: 'DELIVERED'; trackingNumber: string; dispatchedAt: string; deliveredAt: string })
  | (ShipmentBase & { status: 'CANCELLED'; cancelledAt: string });

/** Every event a shipment's story is told with (all written by shipping itself). */
export type ShipmentEvent =
  | EventOf<'ShipmentScheduled'>
  | EventOf<'ShipmentDispatched'>
  | EventOf<'ShipmentDelivered'>
  | EventOf<'ShipmentCancelled'>;

/** Before the order is confirmed there is no shipment. */
export const noShipment = (): Shipment | null => null;

const base = ({ orderId, shipmentId, scheduledAt }: Shipment): ShipmentBase => ({ orderId, shipmentId, scheduledAt });

export function evolve(shipment: Shipment | null, event: ShipmentEvent): Shipment | null {
  const { orderId, shipmentId, at } = event.data;
  if (event.type === 'ShipmentScheduled') {
    return shipment ?? { status: 'SCHEDULED', orderId, shipmentId, scheduledAt: at };
  }
  // A later fact about a shipment never scheduled has nothing to change.
  if (!shipment) return null;
  switch (event.type) {
    case 'ShipmentDispatched': {
      // Shipping never writes a dispatch without a tracking number; one without it changes nothing.
      const trackingNumber = event.data.trackingNumber;
      if (shipment.status !== 'SCHEDULED' || !trackingNumber) return shipment;
      return { ...base(shipment), status: 'DISPATCHED', trackingNumber, dispatchedAt: at };
    }
    case 'ShipmentDelivered':
      if (shipment.status !== 'DISPATCHED') return shipment;
      return { ...base(shipment), status: 'DELIVERED', trackingNumber: shipment.trackingNumber, dispatchedAt: shipment.dispatchedAt, deliveredAt: at };
    case 'ShipmentCancelled':
      if (shipment.status !== 'SCHEDULED') return shipment;
      return { ...base(shipment), status: 'CANCELLED', cancelledAt: at };
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
