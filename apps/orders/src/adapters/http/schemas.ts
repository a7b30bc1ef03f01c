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
export type PlaceOrderBody = z.infer<typeof placeOrderBody>;

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
export const MAX_REASON_LENGTH = 500;
