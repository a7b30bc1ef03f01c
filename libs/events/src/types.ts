/**
 * The data of every event, as TypeScript sees it: the shape of the LATEST schema version of each
 * event (libs/events/schemas/<Event>.v<N>.avsc). Older versions are resolved to this shape when
 * they are decoded, so consumers only ever handle these types.
 *
 * Conventions (the .avsc files say the same): ids are UUID strings except customerId and sku (free,
 * non-empty strings); money is integer cents; times are ISO-8601 UTC strings with milliseconds
 * (`2026-11-23T18:00:00.000Z`, what `Date#toISOString()` prints), kept on the wire as Avro
 * `timestamp-millis`.
 */

export const orderRejectionReasons = ['OUT_OF_STOCK', 'PAYMENT_DECLINED'] as const;
export type OrderRejectionReason = (typeof orderRejectionReasons)[number];

export const paymentDeclineReasons = ['INSUFFICIENT_FUNDS', 'NO_ACCOUNT'] as const;
export type PaymentDeclineReason = (typeof paymentDeclineReasons)[number];

export const emailTemplates = ['ORDER_CONFIRMED', 'ORDER_REJECTED', 'ORDER_SHIPPED', 'ORDER_CANCELLED'] as const;
export type EmailTemplate = (typeof emailTemplates)[number];

export interface PurchaseLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface StockLine {
  sku: string;
  quantity: number;
}

export interface MissingStock {
  sku: string;
  requested: number;
  available: number;
}

// orders topic ---------------------------------------------------------------------------------

export interface PurchaseRequested {
  orderId: string;
  customerId: string;
  email: string;
  items: PurchaseLine[];
  /** The sum of quantity × unitPriceCents over the items. */
  totalCents: number;
  shippingAddress: ShippingAddress;
  requestedAt: string;
}

export interface OrderConfirmed {
  orderId: string;
  paymentId: string;
  confirmedAt: string;
}

export interface OrderRejected {
  orderId: string;
  reason: OrderRejectionReason;
  /** Human-readable explanation, e.g. which SKUs were short. */
  detail: string;
  rejectedAt: string;
}

/**
 * A confirmed order's cancellation, asked for but not yet decided: its parcel may be leaving at this
 * very moment, and only shipping knows. Added to the original design (docs/architecture.md,
 * "Cancelling an order").
 */
export interface OrderCancellationRequested {
  orderId: string;
  reason: string;
  requestedAt: string;
}

export interface OrderCancelled {
  orderId: string;
  reason: string;
  cancelledAt: string;
}

// payments topic -------------------------------------------------------------------------------

export interface PaymentProcessed {
  orderId: string;
  paymentId: string;
  customerId: string;
  amountCents: number;
  processedAt: string;
}

export interface PaymentDeclined {
  orderId: string;
  customerId: string;
  amountCents: number;
  reason: PaymentDeclineReason;
  declinedAt: string;
}

export interface PaymentRefunded {
  orderId: string;
  paymentId: string;
  amountCents: number;
  refundedAt: string;
}

// stock and products topics --------------------------------------------------------------------

export interface StockReserved {
  orderId: string;
  items: StockLine[];
  reservedAt: string;
}

export interface StockUnavailable {
  orderId: string;
  missing: MissingStock[];
  checkedAt: string;
}

export interface StockReleased {
  orderId: string;
  items: StockLine[];
  releasedAt: string;
}

/** A catalogue entry and its stock level (v2 added `reserved`; v1 records read as reserved 0). */
export interface ProductUpdated {
  sku: string;
  name: string;
  priceCents: number;
  available: number;
  reserved: number;
  updatedAt: string;
}

// shipments topic: the four events share one shape ---------------------------------------------

export interface ShipmentFact {
  orderId: string;
  shipmentId: string;
  /** Known from dispatch on; null before. */
  trackingNumber: string | null;
  at: string;
}

export type ShipmentScheduled = ShipmentFact;
export type ShipmentDispatched = ShipmentFact;
export type ShipmentDelivered = ShipmentFact;
export type ShipmentCancelled = ShipmentFact;

// emails topic ---------------------------------------------------------------------------------

export interface EmailSent {
  orderId: string;
  emailId: string;
  to: string;
  template: EmailTemplate;
  sentAt: string;
}

// the catalogue of event types -----------------------------------------------------------------

/** Event type name → data type. Its keys are THE list of event types. */
export interface EventDataMap {
  PurchaseRequested: PurchaseRequested;
  OrderConfirmed: OrderConfirmed;
  OrderRejected: OrderRejected;
  OrderCancellationRequested: OrderCancellationRequested;
  OrderCancelled: OrderCancelled;
  PaymentProcessed: PaymentProcessed;
  PaymentDeclined: PaymentDeclined;
  PaymentRefunded: PaymentRefunded;
  StockReserved: StockReserved;
  StockUnavailable: StockUnavailable;
  StockReleased: StockReleased;
  ProductUpdated: ProductUpdated;
  ShipmentScheduled: ShipmentScheduled;
  ShipmentDispatched: ShipmentDispatched;
  ShipmentDelivered: ShipmentDelivered;
  ShipmentCancelled: ShipmentCancelled;
  EmailSent: EmailSent;
}

export type EventType = keyof EventDataMap;
export type EventData<T extends EventType> = EventDataMap[T];

/** `{ type, data }` for every event type: narrow on `type` and `data` follows. */
export type DomainEvent = { [T in EventType]: { type: T; data: EventData<T> } }[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** `EventTypes.PurchaseRequested === 'PurchaseRequested'`, so no one types an event name by hand. */
export const EventTypes = {
  PurchaseRequested: 'PurchaseRequested',
  OrderConfirmed: 'OrderConfirmed',
  OrderRejected: 'OrderRejected',
  OrderCancellationRequested: 'OrderCancellationRequested',
  OrderCancelled: 'OrderCancelled',
  PaymentProcessed: 'PaymentProcessed',
  PaymentDeclined: 'PaymentDeclined',
  PaymentRefunded: 'PaymentRefunded',
  StockReserved: 'StockReserved',
  StockUnavailable: 'StockUnavailable',
  StockReleased: 'StockReleased',
  ProductUpdated: 'ProductUpdated',
  ShipmentScheduled: 'ShipmentScheduled',
  ShipmentDispatched: 'ShipmentDispatched',
  ShipmentDelivered: 'ShipmentDelivered',
  ShipmentCancelled: 'ShipmentCancelled',
  EmailSent: 'EmailSent',
} as const satisfies { readonly [T in EventType]: T };

export const eventTypes: readonly EventType[] = Object.values(EventTypes);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EventTypes, value);
}
