/**
 * The shipping HTTP API (docs/architecture.md, "HTTP API"): look a shipment up, dispatch it, deliver it.
 * Each change: validate → command → decideAndRecord in one transaction → respond. The decider's
 * refusals (404 not_found, 409 invalid_shipment_state) reach the shared error handler as they are.
 */
import { Router, type RequestHandler } from 'express';
import { withTransaction, type Pool } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, pathParam } from '@webshop/service-kit';
import { shippingDecider, type ShippingCommand } from '../../domain/decide';
import { loadShipment, shipmentOf, type ShipmentRecord } from '../pg/shipment-store';
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

/** `operatorOnly` guards what only an operator may do: dispatch and deliver (service-kit's operator access). */
export function shippingRouter({
  pool,
  operatorOnly,
  clock = () => new Date(),
  newTrackingNumber = defaultTrackingNumber,
}: {
  pool: Pool;
  operatorOnly: RequestHandler;
  clock?: () => Date;
  newTrackingNumber?: () => string;
}): Router {
  const router = Router();

  /**
   * Decides the command on the order's locked shipment, and answers the shipment as it is after it.
   * The command is made once the lock is held, so its time follows whatever changed the shipment before.
   */
  async function change(orderId: string, command: (orderId: string) => ShippingCommand): Promise<ShipmentRecord> {
    // A malformed id cannot name a shipment.
    if (!uuid.safeParse(orderId).success) throw notFound(orderId);
    return withTransaction(pool, async (tx) => {
      await decideAndRecord(tx, 'shipping', shippingDecider, shipmentOf(orderId), () => command(orderId));
      return (await loadShipment(tx, orderId))!;
    });
  }

  router.get('/shipments/:orderId', async (req, res) => {
    const orderId = pathParam(req, 'orderId');
    const record = uuid.safeParse(orderId).success ? await loadShipment(pool, orderId) : null;
    if (!record) throw notFound(orderId);
    res.json(shipmentView(record));
  });

  router.post('/shipments/:orderId/dispatch', operatorOnly, async (req, res) => {
    const record = await change(pathParam(req, 'orderId'), (orderId) => ({
      type: 'DispatchShipment',
      orderId,
      trackingNumber: newTrackingNumber(),
      now: clock().toISOString(),
    }));
    res.status(202).json(shipmentView(record));
  });

  router.post('/shipments/:orderId/deliver', operatorOnly, async (req, res) => {
    const record = await change(pathParam(req, 'orderId'), (orderId) => ({ type: 'DeliverShipment', orderId, now: clock().toISOString() }));
    res.status(202).json(shipmentView(record));
  });

  return router;
}
