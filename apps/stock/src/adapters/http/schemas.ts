/** What the stock API accepts, checked once at the edge. */
import { z } from 'zod';

export const skuParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, . _ - and start with a letter or digit');

export const defineProductBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    priceCents: z.number().int().min(0),
  })
  .strict();

export const restockBody = z
  .object({
    quantity: z.number().int().min(1).max(1_000_000),
  })
  .strict();
