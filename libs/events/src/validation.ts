/**
 * zod validators for every event's data: the rules an Avro schema cannot say (a UUID, an email, a
 * positive quantity, non-negative cents, a canonical time, a total that adds up). The codec runs
 * them before encoding (a producer cannot publish nonsense) and after decoding (a consumer never
 * sees it), so everything downstream can trust an event's data.
 *
 * Objects are strict: an unknown key is a mistake (a misspelt optional field would otherwise be
 * dropped silently by the encoder).
 */
import { z } from 'zod';
import { isCanonicalIsoMillis } from './timestamp-millis';
import {
  emailTemplates,
  orderRejectionReasons,
  paymentDeclineReasons,
  type EventData,
  type EventType,
} from './types';

const INT32_MAX = 2 ** 31 - 1;

const uuid = z.uuid();
const nonEmpty = z.string().min(1);
const email = z.email();
/** What `Date#toISOString()` prints, and only that: the form that survives the Avro round trip. */
const time = z.iso
  .datetime({ precision: 3 })
  .refine(isCanonicalIsoMillis, 'must be a real UTC time as Date#toISOString() prints it');
const cents = z.int().nonnegative();
/** Units on an order line (Avro int). */
const quantity = z.int().positive().max(INT32_MAX);
/** A stock level (Avro long). */
const units = z.int().nonnegative();

const stockLine = z.strictObject({ sku: nonEmpty, quantity });

const shipmentFact = z.strictObject({
  orderId: uuid,
  shipmentId: uuid,
  trackingNumber: nonEmpty.nullable(),
  at: time,
});

export const eventSchemas: { readonly [T in EventType]: z.ZodType<EventData<T>> } = {
  PurchaseRequested: z
    .strictObject({
      orderId: uuid,
      customerId: nonEmpty,
      email,
      items: z.array(z.strictObject({ sku: nonEmpty, quantity, unitPriceCents: cents })).min(1),
      totalCents: cents,
      shippingAddress: z.strictObject({
        name: nonEmpty,
        line1: nonEmpty,
        city: nonEmpty,
        postalCode: nonEmpty,
        country: nonEmpty,
      }),
      requestedAt: time,
    })
    .refine(
      (order) => order.totalCents === order.items.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
      { path: ['totalCents'], message: 'must be the sum of quantity × unitPriceCents over the items' },
    ),
  OrderConfirmed: z.strictObject({ orderId: uuid, paymentId: uuid, confirmedAt: time }),
  OrderRejected: z.strictObject({
    orderId: uuid,
    reason: z.enum(orderRejectionReasons),
    detail: z.string(),
    rejectedAt: time,
  }),
  OrderCancellationRequested: z.strictObject({ orderId: uuid, reason: nonEmpty, requestedAt: time }),
  OrderCancelled: z.strictObject({ orderId: uuid, reason: nonEmpty, cancelledAt: time }),
  PaymentProcessed: z.strictObject({
    orderId: uuid,
    paymentId: uuid,
    customerId: nonEmpty,
    amountCents: cents,
    processedAt: time,
  }),
  PaymentDeclined: z.strictObject({
    orderId: uuid,
    customerId: nonEmpty,
    amountCents: cents,
    reason: z.enum(paymentDeclineReasons),
    declinedAt: time,
  }),
  PaymentRefunded: z.strictObject({ orderId: uuid, paymentId: uuid, amountCents: cents, refundedAt: time }),
  StockReserved: z.strictObject({ orderId: uuid, items: z.array(stockLine).min(1), reservedAt: time }),
  StockUnavailable: z.strictObject({
    orderId: uuid,
    missing: z.array(z.strictObject({ sku: nonEmpty, requested: quantity, available: units })).min(1),
    checkedAt: time,
  }),
  StockReleased: z.strictObject({ orderId: uuid, items: z.array(stockLine).min(1), releasedAt: time }),
  ProductUpdated: z.strictObject({
    sku: nonEmpty,
    name: nonEmpty,
    priceCents: cents,
    available: units,
    reserved: units,
    updatedAt: time,
  }),
  ShipmentScheduled: shipmentFact,
  ShipmentDispatched: shipmentFact,
  ShipmentDelivered: shipmentFact,
  ShipmentCancelled: shipmentFact,
  EmailSent: z.strictObject({
    orderId: uuid,
    emailId: uuid,
    to: email,
    template: z.enum(emailTemplates),
    sentAt: time,
  }),
};

/** One broken rule; the same `{ path, message }` shape as the HTTP API's error details. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** Data that breaks its event's rules, caught before encoding. Trying again cannot help. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  readonly retriable = false;
  readonly reason = 'invalid_data';

  constructor(
    readonly eventType: EventType,
    readonly issues: readonly ValidationIssue[],
    options?: { cause?: unknown },
  ) {
    super(`invalid ${eventType}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`, options);
  }
}

export type ValidationResult<T extends EventType> =
  | { ok: true; data: EventData<T> }
  | { ok: false; issues: ValidationIssue[] };

/** Checks data against its event's rules; `data` is a fresh, plain copy when it passes. */
export function checkEvent<T extends EventType>(type: T, data: unknown): ValidationResult<T> {
  const result = (eventSchemas[type] as z.ZodType<EventData<T>>).safeParse(data);
  if (result.success) return { ok: true, data: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  };
}
