/**
 * What the email service decides, as one decider over the emails a command touches (an order's
 * emails when one is planned, the one email when it was sent). Pure: ids and time come in.
 *
 * - One email per (order, template): the first event of a kind plans it, later ones (a redelivery,
 *   a second confirmation) change nothing.
 * - It is PENDING until the mail server took it, then SENT, once; EmailSent reports that.
 *
 * An email's life is told by EmailPlanned, a fact email keeps to itself (no topic carries it, so the
 * runtime keeps it out of the outbox), and EmailSent, the event it publishes.
 */
import { byType, DomainError, type Decider } from '@webshop/domain';
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

/** The emails a command decides on: an order's, or the one being sent. */
export type Emails = readonly Email[];

/** An email an event called for, written and waiting to go out: kept in the service. */
export interface EmailPlanned {
  type: 'EmailPlanned';
  data: Pick<EmailBase, 'emailId' | 'orderId' | 'template' | 'to' | 'subject' | 'body'> & { plannedAt: string };
}

export type EmailEvent = EmailPlanned | EventOf<'EmailSent'>;

export type EmailCommand =
  /** `trigger` happened to the order `contact` tells of: write to its customer. `emailId` is the new email's id. */
  | { type: 'PlanEmail'; contact: OrderContact; trigger: EmailTrigger; emailId: string; now: string }
  /** The mail server accepted the email. */
  | { type: 'RecordEmailSent'; emailId: string; now: string };

export const decide = byType<EmailCommand, [Emails], EmailEvent[]>({ PlanEmail: planEmail, RecordEmailSent: recordEmailSent });

/** How one event changes the emails: a planned one joins them PENDING, a sent one becomes SENT. */
export function evolveEmails(emails: Emails, event: EmailEvent): Emails {
  switch (event.type) {
    case 'EmailPlanned': {
      const { plannedAt, ...email } = event.data;
      if (emails.some((e) => e.emailId === email.emailId || (e.orderId === email.orderId && e.template === email.template))) return emails;
      return [...emails, { ...email, createdAt: plannedAt, attempts: 0, status: 'PENDING', lastError: null }];
    }
    case 'EmailSent':
      return emails.map((email) => evolve(email, event));
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

export const emailDecider: Decider<EmailCommand, Emails, EmailEvent> = { decide, evolve: evolveEmails, initialState: () => [] };

/** The email `trigger` calls for, unless the order has one of that template already. */
function planEmail({ contact, trigger, emailId, now }: Extract<EmailCommand, { type: 'PlanEmail' }>, emails: Emails): EmailEvent[] {
  const { template, subject, body } = renderEmail(contact, trigger);
  if (emails.some((email) => email.orderId === contact.orderId && email.template === template)) return [];
  return [{ type: 'EmailPlanned', data: { emailId, orderId: contact.orderId, template, to: contact.email, subject, body, plannedAt: now } }];
}

/** The mail server accepted the email: report it, unless it was reported already. */
function recordEmailSent({ emailId, now }: Extract<EmailCommand, { type: 'RecordEmailSent' }>, emails: Emails): EmailEvent[] {
  const email = emails.find((e) => e.emailId === emailId);
  if (!email) throw new DomainError(404, 'not_found', `no email ${emailId}`);
  if (email.status === 'SENT') return [];
  return [{ type: 'EmailSent', data: { orderId: email.orderId, emailId, to: email.to, template: email.template, sentAt: now } }];
}

/** How EmailSent changes one email: SENT once, counting the attempt that got it through. */
export function evolve(email: Email, event: EventOf<'EmailSent'>): Email {
  if (email.status === 'SENT' || event.data.emailId !== email.emailId) return email;
  const { lastError: _lastError, ...rest } = email;
  return { ...rest, status: 'SENT', attempts: email.attempts + 1, sentAt: event.data.sentAt };
}
