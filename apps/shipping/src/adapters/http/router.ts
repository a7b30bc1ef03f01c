/**
 * The shipping HTTP API (docs/architecture.md, "HTTP API"): look a shipment up, dispatch it, deliver it.
 * Each change: validate → command → decideAndRecord in one transaction → respond. The decider's
 * refusals (404 not_found, 409 invalid_shipment_state) reach the shared error handler as they are.
 */
import { z } from 'zod';
import { withTransaction, type Pool } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, pathParam, route, type Route } from '@webshop/service-kit';
import { shippingDecider, type ShippingCommand } from '../../domain/decide';
import { loadShipment, shipmentOf, type ShipmentRecord } from '../pg/shipment-store';
import { newTrackingNumber as defaultTrackingNumber } from '../tracking-number';
import { shipmentBody, uuid } from './schemas';

/** The shipment as the API shows it: fields that do not apply yet are left out. */
export function shipmentView({ shipment, address }: ShipmentRecord): z.output<typeof shipmentBody> {
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

const orderIdOnly = z.object({ orderId: uuid });

/** The shipping API's routes; dispatch and deliver are for operators only (service-kit's operator access). */
export function shippingRoutes({
  pool,
  clock = () => new Date(),
  newTrackingNumber = defaultTrackingNumber,
}: {
  pool: Pool;
  clock?: () => Date;
  newTrackingNumber?: () => string;
}): Route[] {
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

  return [
    route({
      method: 'get',
      path: '/shipments/:orderId',
      summary: 'The shipment of an order',
      params: orderIdOnly,
      responses: { 200: { description: 'the shipment', schema: shipmentBody } },
      errors: { 404: ['not_found'] },
      async handle(req, res) {
        const orderId = pathParam(req, 'orderId');
        const record = uuid.safeParse(orderId).success ? await loadShipment(pool, orderId) : null;
        if (!record) throw notFound(orderId);
        res.json(shipmentView(record));
      },
    }),

    route({
      method: 'post',
      path: '/shipments/:orderId/dispatch',
      summary: 'Dispatch a SCHEDULED shipment (gives it a tracking number); publishes ShipmentDispatched',
      operator: true,
      params: orderIdOnly,
      responses: { 202: { description: 'the shipment, DISPATCHED', schema: shipmentBody } },
      errors: { 404: ['not_found'], 409: ['invalid_shipment_state'] },
      async handle(req, res) {
        const record = await change(pathParam(req, 'orderId'), (orderId) => ({
          type: 'DispatchShipment',
          orderId,
          trackingNumber: newTrackingNumber(),
          now: clock().toISOString(),
        }));
        res.status(202).json(shipmentView(record));
      },
    }),

    route({
      method: 'post',
      path: '/shipments/:orderId/deliver',
      summary: 'Deliver a DISPATCHED shipment; publishes ShipmentDelivered',
      operator: true,
      params: orderIdOnly,
      responses: { 202: { description: 'the shipment, DELIVERED', schema: shipmentBody } },
      errors: { 404: ['not_found'], 409: ['invalid_shipment_state'] },
      async handle(req, res) {
        const record = await change(pathParam(req, 'orderId'), (orderId) => ({ type: 'DeliverShipment', orderId, now: clock().toISOString() }));
        res.status(202).json(shipmentView(record));
      },
    }),
  ];
}
