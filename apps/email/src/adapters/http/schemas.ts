/** What the email API accepts, checked once at the edge. */
import { z } from 'zod';
import { storableString } from '@webshop/service-kit';

export const listEmailsQuery = z.object({
  orderId: z.string().uuid().optional(),
  to: storableString().trim().min(1).max(254).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
