/**
 * An email about an order, and the rules it lives by. Pure: ids and time come in.
 *
 * - One email per (order, template): the first event of a kind plans it, later ones (a redelivery,
 *   a second confirmation) change nothing.
 * - It is PENDING until the mail server took it, then SENT, once; EmailSent reports that.
 */
import type { EmailTemplate, EventOf } from '@webshop/events';
import { renderEmail, type EmailTrigger, type OrderContact } from './templates';

interface EmailBase {
  emailId: string;
  orderId: string;
  template: EmailTemplate;
  to: string;
  subject: string;
  body: string;
  createdAt: string;
  /** Delivery attempts so far, failed or not. */
  attempts: number;
}

export type Email =
  | (EmailBase & { status: 'PENDING'; lastError: string | null })
  | (EmailBase & { status: 'SENT'; sentAt: string });

/** The email `trigger` calls for, unless the order has one of that template already. */
export function planEmail(
  contact: OrderContact,
  trigger: EmailTrigger,
  alreadyPlanned: readonly EmailTemplate[],
  command: { emailId: string; now: string },
): Email[] {
  const content = renderEmail(contact, trigger);
  if (alreadyPlanned.includes(content.template)) return [];
  return [
    {
      emailId: command.emailId,
      orderId: contact.orderId,
      template: content.template,
      to: contact.email,
      subject: content.subject,
      body: content.body,
      createdAt: command.now,
      attempts: 0,
      status: 'PENDING',
      lastError: null,
    },
  ];
}

/** The mail server accepted the email: report it, unless it was reported already. */
export function recordSent(email: Email, command: { now: string }): Array<EventOf<'EmailSent'>> {
  if (email.status === 'SENT') return [];
  return [{ type: 'EmailSent', data: { orderId: email.orderId, emailId: email.emailId, to: email.to, template: email.template, sentAt: command.now } }];
}

export function evolve(email: Email, event: EventOf<'EmailSent'>): Email {
  if (email.status === 'SENT' || event.data.emailId !== email.emailId) return email;
  const { lastError: _lastError, ...rest } = email;
  return { ...rest, status: 'SENT', attempts: email.attempts + 1, sentAt: event.data.sentAt };
}
