/** What the orders API accepts, checked once at the edge. */
import { z } from 'zod';
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
  until: statusList.optional(),
  timeoutMs: z.coerce.number().int().min(0).max(30_000).default(5_000),
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
