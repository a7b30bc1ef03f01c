/** What the email API accepts, checked once at the edge, and what it answers. */
import { z } from 'zod';
import { emailTemplates } from '@webshop/events';
import { storableString } from '@webshop/service-kit';

export const listEmailsQuery = z.object({
  orderId: z.string().uuid().optional(),
  to: storableString().trim().min(1).max(254).optional().describe('the recipient, matched regardless of case'),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

/** A sent email as the list shows it. */
export const sentEmailBody = z.object({
  emailId: z.string().uuid(),
  orderId: z.string().uuid(),
  to: z.string(),
  template: z.enum(emailTemplates),
  subject: z.string(),
  sentAt: z.iso.datetime(),
});
