/** What the payment API accepts, checked once at the edge. */
import { z } from 'zod';
import { paymentDeclineReasons } from '@webshop/events';
import { storableString } from '@webshop/service-kit';

/** A customer id as orders takes it: non-empty, at most 100 characters, no surrounding blanks. */
export const customerIdParam = storableString()
  .min(1)
  .max(100)
  .refine((s) => s.trim() === s, 'must not start or end with whitespace');

/** At most 100 million (in whole currency units) per deposit. */
export const MAX_DEPOSIT_CENTS = 100_000_000_00;

export const depositBody = z
  .object({
    amountCents: z.number().int().min(1).max(MAX_DEPOSIT_CENTS),
  })
  .strict();

export const uuid = z.string().uuid();

/** What the API answers (the views in router.ts are typed by these). */
export const accountBody = z.object({ customerId: z.string(), balanceCents: z.number().int() });

export const paymentBody = z.object({
  orderId: z.string().uuid(),
  customerId: z.string(),
  amountCents: z.number().int(),
  status: z.enum(['PROCESSED', 'DECLINED', 'REFUNDED']),
  declineReason: z.enum(paymentDeclineReasons).optional().describe('why it was declined; only when DECLINED'),
});
