/** What the stock API accepts, checked once at the edge. */
import { z } from 'zod';
import { storableString } from '@webshop/service-kit';

export const skuParam = storableString().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, . _ - and start with a letter or digit');

/**
 * At most 100 million (in whole currency units) per unit: orders adds up to 100 lines of up to 1000
 * units, and that total must stay an exact integer (JSON, Avro long, Postgres bigint).
 */
export const MAX_PRICE_CENTS = 100_000_000_00;

export const defineProductBody = z
  .object({
    name: storableString().trim().min(1).max(200),
    priceCents: z.number().int().min(0).max(MAX_PRICE_CENTS),
  })
  .strict();

export const restockBody = z
  .object({
    quantity: z.number().int().min(1).max(1_000_000),
  })
  .strict();

/** What the API answers (the views in router.ts are typed by these). */
export const stockLevelBody = z.object({
  sku: z.string(),
  name: z.string(),
  priceCents: z.number().int(),
  available: z.number().int().describe('units that can be reserved'),
  reserved: z.number().int().describe('units held for orders not yet confirmed'),
});
export const productBody = stockLevelBody.extend({ updatedAt: z.iso.datetime() });
