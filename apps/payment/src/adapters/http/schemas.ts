/** What the payment API accepts, checked once at the edge. */
import { z } from 'zod';
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
