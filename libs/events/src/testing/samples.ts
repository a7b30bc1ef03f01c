/**
 * Fixed, realistic data for every event type, for tests. Fixed on purpose: the golden files are
 * these samples encoded, so changing one means regenerating the golden files (UPDATE_GOLDEN=1).
 */
import type { EventData, EventType } from '../types';

const orderId = '5b0d7a52-1f3e-4c8a-9d2b-6e4f8a1c3b7d';
const paymentId = '0c9e3f1a-7b2d-4e6f-8a1c-2d3b4e5f6a7b';
const shipmentId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const emailId = 'e1d2c3b4-a5f6-4789-9a0b-1c2d3e4f5a6b';
const customerId = 'customer-42';

/** One sample per event type, in the shape of the latest schema version. */
export const samples: { readonly [T in EventType]: EventData<T> } = {
  PurchaseRequested: {
    orderId,
    customerId,
    email: 'ada@example.com',
    items: [
      { sku: 'MUG-001', quantity: 2, unitPriceCents: 1250 },
      { sku: 'TEE-RED-M', quantity: 1, unitPriceCents: 1999 },
    ],
    totalCents: 4499,
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    requestedAt: '2026-11-23T18:00:00.000Z',
  },
  OrderConfirmed: { orderId, paymentId, confirmedAt: '2026-11-23T18:00:01.250Z' },
  OrderRejected: {
    orderId,
    reason: 'OUT_OF_STOCK',
    detail: 'TEE-RED-M: 1 requested, 0 available',
    rejectedAt: '2026-11-23T18:00:01.250Z',
  },
  OrderCancellationRequested: { orderId, reason: 'customer changed their mind', requestedAt: '2026-11-23T19:29:00.000Z' },
  OrderCancelled: { orderId, reason: 'customer changed their mind', cancelledAt: '2026-11-23T19:30:00.000Z' },
  PaymentProcessed: { orderId, paymentId, customerId, amountCents: 4499, processedAt: '2026-11-23T18:00:00.512Z' },
  PaymentDeclined: {
    orderId,
    customerId,
    amountCents: 4499,
    reason: 'INSUFFICIENT_FUNDS',
    declinedAt: '2026-11-23T18:00:00.512Z',
  },
  PaymentRefunded: { orderId, paymentId, amountCents: 4499, refundedAt: '2026-11-23T19:30:00.800Z' },
  StockReserved: {
    orderId,
    items: [
      { sku: 'MUG-001', quantity: 2 },
      { sku: 'TEE-RED-M', quantity: 1 },
    ],
    reservedAt: '2026-11-23T18:00:00.734Z',
  },
  StockUnavailable: {
    orderId,
    missing: [{ sku: 'TEE-RED-M', requested: 1, available: 0 }],
    checkedAt: '2026-11-23T18:00:00.734Z',
  },
  StockReleased: {
    orderId,
    items: [
      { sku: 'MUG-001', quantity: 2 },
      { sku: 'TEE-RED-M', quantity: 1 },
    ],
    releasedAt: '2026-11-23T19:30:00.900Z',
  },
  ProductUpdated: {
    sku: 'MUG-001',
    name: 'Enamel mug, blue',
    priceCents: 1250,
    available: 38,
    reserved: 2,
    updatedAt: '2026-11-23T18:00:00.734Z',
  },
  ShipmentScheduled: { orderId, shipmentId, trackingNumber: null, at: '2026-11-23T18:00:02.000Z' },
  ShipmentDispatched: { orderId, shipmentId, trackingNumber: 'JD014600006281234567', at: '2026-11-24T09:15:00.000Z' },
  ShipmentDelivered: { orderId, shipmentId, trackingNumber: 'JD014600006281234567', at: '2026-11-25T14:42:00.000Z' },
  ShipmentCancelled: { orderId, shipmentId, trackingNumber: null, at: '2026-11-23T19:30:00.950Z' },
  EmailSent: {
    orderId,
    emailId,
    to: 'ada@example.com',
    template: 'ORDER_CONFIRMED',
    sentAt: '2026-11-23T18:00:03.000Z',
  },
};

/** A sample as one schema version writes it, and what reading it as the latest version gives. */
export interface VersionSample {
  readonly type: EventType;
  readonly version: number;
  readonly written: unknown;
  readonly readAsLatest: unknown;
}

/**
 * Samples of every version that is not the latest. When a type gets a new version, its previous
 * latest moves here, in the shape it had, with what the new reader makes of it.
 */
export const olderVersionSamples: readonly VersionSample[] = [
  {
    type: 'ProductUpdated',
    version: 1,
    written: { sku: 'MUG-001', name: 'Enamel mug, blue', priceCents: 1250, available: 38, updatedAt: '2026-11-23T18:00:00.734Z' },
    readAsLatest: { sku: 'MUG-001', name: 'Enamel mug, blue', priceCents: 1250, available: 38, reserved: 0, updatedAt: '2026-11-23T18:00:00.734Z' },
  },
];

/** Every kept version's sample: the latest versions from `samples`, the older ones from `olderVersionSamples`. */
export function allVersionSamples(latestVersionOf: (type: EventType) => number): VersionSample[] {
  const latest = (Object.keys(samples) as EventType[]).map((type) => ({
    type,
    version: latestVersionOf(type),
    written: samples[type],
    readAsLatest: samples[type],
  }));
  return [...latest, ...olderVersionSamples];
}
