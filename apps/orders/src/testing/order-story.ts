/** One order's story as events, for the specs of the pure decider and saga: fixed ids and times. */
import type { EventOf } from '@webshop/events';
import type { OrderEvent } from '../domain/order';

export const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
export const paymentId = '0b9f0d64-1c1e-4c41-8c6e-3f5a6a7b8c9d';
const shipmentId = 'a4d1a1f0-5b5e-4f0e-9f63-2c7e1d0b9a11';
export const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();
export const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

export const requested: EventOf<'PurchaseRequested'> = {
  type: 'PurchaseRequested',
  data: {
    orderId,
    customerId: 'ada',
    email: 'ada@example.com',
    items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
    totalCents: 900,
    shippingAddress: address,
    requestedAt: at(0),
  },
};
export const paid: OrderEvent = { type: 'PaymentProcessed', data: { orderId, paymentId, customerId: 'ada', amountCents: 900, processedAt: at(1) } };
export const declined: OrderEvent = { type: 'PaymentDeclined', data: { orderId, customerId: 'ada', amountCents: 900, reason: 'INSUFFICIENT_FUNDS', declinedAt: at(1) } };
export const reserved: OrderEvent = { type: 'StockReserved', data: { orderId, items: [{ sku: 'TEA-1', quantity: 2 }], reservedAt: at(2) } };
export const unavailable: OrderEvent = {
  type: 'StockUnavailable',
  data: { orderId, missing: [{ sku: 'TEA-1', requested: 2, available: 1 }], checkedAt: at(2) },
};
export const confirmed: OrderEvent = { type: 'OrderConfirmed', data: { orderId, paymentId, confirmedAt: at(3) } };
export const scheduled: OrderEvent = { type: 'ShipmentScheduled', data: { orderId, shipmentId, trackingNumber: null, at: at(4) } };
export const dispatched: OrderEvent = { type: 'ShipmentDispatched', data: { orderId, shipmentId, trackingNumber: 'TRK1', at: at(4) } };
export const delivered: OrderEvent = { type: 'ShipmentDelivered', data: { orderId, shipmentId, trackingNumber: 'TRK1', at: at(5) } };
export const cancelled: OrderEvent = { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', cancelledAt: at(6) } };
/** A confirmed order's cancellation, asked for at 7 s with reason `r`, and shipping's answer. */
export const asked: OrderEvent = { type: 'OrderCancellationRequested', data: { orderId, reason: 'r', requestedAt: at(7) } };
export const shipmentCancelled: OrderEvent = { type: 'ShipmentCancelled', data: { orderId, shipmentId, trackingNumber: null, at: at(8) } };
