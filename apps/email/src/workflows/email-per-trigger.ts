/**
 * Email's part in the order flow: one email per order and template, for each event that calls for
 * one (OrderConfirmed, OrderRejected, OrderCancelled on orders; ShipmentDispatched on shipments),
 * written to the customer of the order's contact (projections/order-contacts.ts). Live only: a
 * replay must not write again. Pure: the id and the time come in.
 */
import type { EmailCommand } from '../domain/email';
import type { EmailTrigger, OrderContact } from '../domain/templates';

export const commandFor = (trigger: EmailTrigger, contact: OrderContact, { emailId, now }: { emailId: string; now: string }): EmailCommand => ({
  type: 'PlanEmail',
  contact,
  trigger,
  emailId,
  now,
});
