/** What the orders API accepts, checked once at the edge. */
import { z } from 'zod';
import { orderRejectionReasons } from '@webshop/events';
import { storableString } from '@webshop/service-kit';
import { orderStatuses, type OrderStatus } from '../../domain/order';

const text = (max: number) => storableString().trim().min(1).max(max);

export const placeOrderBody = z
  .object({
    customerId: text(100),
    email: storableString().trim().email().max(254),
    items: z
      .array(z.object({ sku: text(64), quantity: z.number().int().min(1).max(1000) }).strict())
      .min(1)
      .max(100)
      .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'each sku may appear only once'),
    shippingAddress: z
      .object({ name: text(200), line1: text(200), city: text(100), postalCode: text(20), country: text(56) })
      .strict(),
  })
  .strict();

const statusList = storableString()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(orderStatuses as [OrderStatus, ...OrderStatus[]])).min(1));

export const getOrderQuery = z.object({
  until: statusList.optional().describe('comma-separated statuses: answer once the order has one of them (a long poll)'),
  timeoutMs: z.coerce.number().int().min(0).max(30_000).default(5_000).describe('how long `until` waits'),
});

export const listOrdersQuery = z.object({
  customerId: text(100).optional(),
  status: z.enum(orderStatuses as [OrderStatus, ...OrderStatus[]]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: storableString().max(500).optional(),
});

export const uuid = z.string().uuid();
export const idempotencyKey = storableString().trim().min(1).max(200);

/** The optional reason of a cancellation: kept to 500 characters, longer ones are cut. */
const MAX_REASON_LENGTH = 500;
const DEFAULT_REASON = 'cancelled by the customer';

/** The first `max` UTF-16 units of `text`, never half a surrogate pair (jsonb refuses a lone one). */
function cut(text: string, max: number): string {
  const head = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

/**
 * The optional body of a cancellation, `{ reason }`. Lenient by contract: no body, another shape
 * or a reason that is not a non-blank string is the default reason, never a 400. (A string
 * Postgres cannot store is refused before, by the service kit's check of every body.)
 */
export const cancelOrderBody = z
  .object({
    reason: z
      .string()
      .refine((reason) => reason.trim().length > 0)
      .transform((reason) => cut(reason, MAX_REASON_LENGTH))
      .catch(DEFAULT_REASON),
  })
  .catch({ reason: DEFAULT_REASON });

/** The optional resume point of the live stream: anything but a positive integer starts from the beginning. */
export const streamQuery = z.object({
  lastEventId: z.string().optional().catch(undefined).describe('the last entry seen, as Last-Event-ID (for clients that cannot set headers)'),
});

// What the API answers (the views are typed by these).

const orderItem = z.object({ sku: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() });
const shippingAddress = z.object({ name: z.string(), line1: z.string(), city: z.string(), postalCode: z.string(), country: z.string() });

/** The answer to placing an order. */
export const acceptedOrderBody = z.object({
  orderId: z.string().uuid(),
  status: z.enum(orderStatuses as [OrderStatus, ...OrderStatus[]]),
  totalCents: z.number().int(),
  items: z.array(orderItem),
});

export const orderBody = z.object({
  orderId: z.string().uuid(),
  customerId: z.string(),
  email: z.string(),
  items: z.array(orderItem),
  totalCents: z.number().int(),
  status: z.enum(orderStatuses as [OrderStatus, ...OrderStatus[]]),
  rejectionReason: z.enum(orderRejectionReasons).optional(),
  cancellationRequestedAt: z.iso.datetime().optional(),
  shippingAddress,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const orderPageBody = z.object({
  items: z.array(orderBody),
  nextCursor: z.string().nullable().describe('the next page\'s cursor; null on the last page'),
});

export const timelineEntryBody = z.object({
  eventId: z.string().uuid(),
  type: z.string(),
  topic: z.string(),
  partition: z.number().int(),
  offset: z.number().int(),
  occurredAt: z.iso.datetime(),
  producer: z.string(),
  data: z.unknown().describe('the event, as on its topic'),
});
