/**
 * The shipping HTTP API (docs/architecture.md, "HTTP API"): look a shipment up, dispatch it, deliver it.
 * Each change: lock the shipment → decide → outbox + new state in one transaction → respond.
 */
import { Router } from 'express';
import { withTransaction, type Pool } from '@webshop/postgres';
import { HttpError, pathParam } from '@webshop/service-kit';
import { deliverShipment, dispatchShipment, ShipmentRuleViolation } from '../../domain/decide';
import type { Shipment, ShipmentEvent } from '../../domain/shipment';
import { loadShipment, recordShipmentChange, type ShipmentRecord } from '../pg/shipment-store';
import { newTrackingNumber as defaultTrackingNumber } from '../tracking-number';
import { uuid } from './schemas';

/** The shipment as the API shows it: fields that do not apply yet are left out. */
export function shipmentView({ shipment, address }: ShipmentRecord) {
  const common = { orderId: shipment.orderId, shipmentId: shipment.shipmentId, status: shipment.status, address };
  switch (shipment.status) {
    case 'SCHEDULED':
    case 'CANCELLED':
      return { ...common, scheduledAt: shipment.scheduledAt };
    case 'DISPATCHED':
      return { ...common, trackingNumber: shipment.trackingNumber, scheduledAt: shipment.scheduledAt, dispatchedAt: shipment.dispatchedAt };
    case 'DELIVERED':
      return {
        ...common,
        trackingNumber: shipment.trackingNumber,
        scheduledAt: shipment.scheduledAt,
        dispatchedAt: shipment.dispatchedAt,
        deliveredAt: shipment.deliveredAt,
      };
    default: {
      const exhaustive: never = shipment;
      return exhaustive;
    }
  }
}

const notFound = (orderId: string) => new HttpError(404, 'not_found', `no shipment for order ${orderId}`);

export function shippingRouter({
  pool,
  clock = () => new Date(),
  newTrackingNumber = defaultTrackingNumber,
}: {
  pool: Pool;
  clock?: () => Date;
  newTrackingNumber?: () => string;
}): Router {
  const router = Router();

  /** Locks the shipment, asks the domain, and stores its answer with the event in one transaction. */
  async function change(orderId: string, decide: (shipment: Shipment) => ShipmentEvent): Promise<ShipmentRecord> {
    if (!uuid.safeParse(orderId).success) throw notFound(orderId);
    return withTransaction(pool, async (tx) => {
      const current = await loadShipment(tx, orderId, true);
      if (!current) throw notFound(orderId);
      let event: ShipmentEvent;
      try {
        event = decide(current.shipment);
      } catch (error) {
        if (error instanceof ShipmentRuleViolation) throw new HttpError(409, error.code, error.message);
        throw error;
      }
      return recordShipmentChange(tx, current, event);
    });
  }

  router.get('/shipments/:orderId', async (req, res) => {
    const orderId = pathParam(req, 'orderId');
    const record = uuid.safeParse(orderId).success ? await loadShipment(pool, orderId) : null;
    if (!record) throw notFound(orderId);
    res.json(shipmentView(record));
  });

  router.post('/shipments/:orderId/dispatch', async (req, res) => {
    const record = await change(pathParam(req, 'orderId'), (shipment) =>
      dispatchShipment(shipment, { trackingNumber: newTrackingNumber(), now: clock().toISOString() }),
    );
    res.status(202).json(shipmentView(record));
  });

  router.post('/shipments/:orderId/deliver', async (req, res) => {
    const record = await change(pathParam(req, 'orderId'), (shipment) => deliverShipment(shipment, { now: clock().toISOString() }));
    res.status(202).json(shipmentView(record));
  });

  return router;
}
