/**
 * What each email says: a subject and a plain-text body per template, from the order as email knows
 * it (its copy of PurchaseRequested) and the event the email is about. Pure: no I/O, no clock.
 */
import type { EmailTemplate, EventOf, PurchaseLine } from '@webshop/events';

/** The order as email knows it, from PurchaseRequested: who to write to and what they ordered. */
export interface OrderContact {
  orderId: string;
  customerId: string;
  email: string;
  /** The name on the shipping address: the only name the order carries. */
  name: string;
  items: PurchaseLine[];
  totalCents: number;
  requestedAt: string;
}

/** The events that each cause one email. */
export type EmailTrigger =
  | EventOf<'OrderConfirmed'>
  | EventOf<'OrderRejected'>
  | EventOf<'ShipmentDispatched'>
  | EventOf<'OrderCancelled'>;

export const emailTriggerTypes = ['OrderConfirmed', 'OrderRejected', 'ShipmentDispatched', 'OrderCancelled'] as const satisfies ReadonlyArray<
  EmailTrigger['type']
>;

export interface EmailContent {
  template: EmailTemplate;
  subject: string;
  body: string;
}

/** Integer cents as `12.34`, without floating point. */
export const formatCents = (cents: number): string => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;

/** The order's short reference: the first block of its id, enough for a person to tell orders apart. */
const shortRef = (orderId: string): string => orderId.slice(0, 8);

function orderSummary(contact: OrderContact): string {
  const lines = contact.items.map(
    (item) => `  ${item.quantity} × ${item.sku} at ${formatCents(item.unitPriceCents)} = ${formatCents(item.quantity * item.unitPriceCents)}`,
  );
  return [`Order ${contact.orderId}`, ...lines, `Total: ${formatCents(contact.totalCents)}`].join('\n');
}

const letter = (contact: OrderContact, ...paragraphs: string[]): string =>
  [`Hello ${contact.name},`, ...paragraphs, 'Kind regards,\nWebshop'].join('\n\n') + '\n';

const rejectionReasons = {
  OUT_OF_STOCK: 'some of the items are out of stock',
  PAYMENT_DECLINED: 'the payment was declined',
} as const;

export function renderEmail(contact: OrderContact, trigger: EmailTrigger): EmailContent {
  const ref = shortRef(contact.orderId);
  switch (trigger.type) {
    case 'OrderConfirmed':
      return {
        template: 'ORDER_CONFIRMED',
        subject: `Your order ${ref} is confirmed`,
        body: letter(contact, 'thank you for your order. It is paid and confirmed, and we are getting it ready.', orderSummary(contact), 'We will write again when it is on its way.'),
      };
    case 'OrderRejected': {
      const { reason, detail } = trigger.data;
      return {
        template: 'ORDER_REJECTED',
        subject: `We could not accept your order ${ref}`,
        body: letter(
          contact,
          `we are sorry: we could not accept your order because ${rejectionReasons[reason]} (${reason}).${detail ? `\nDetails: ${detail}` : ''}`,
          orderSummary(contact),
          'Anything charged for this order is refunded.',
        ),
      };
    }
    case 'ShipmentDispatched':
      return {
        template: 'ORDER_SHIPPED',
        subject: `Your order ${ref} is on its way`,
        body: letter(
          contact,
          'your order has left our warehouse.',
          `Tracking number: ${trigger.data.trackingNumber ?? 'not available yet'}`,
          orderSummary(contact),
        ),
      };
    case 'OrderCancelled':
      return {
        template: 'ORDER_CANCELLED',
        subject: `Your order ${ref} is cancelled`,
        body: letter(contact, `your order is cancelled. Reason: ${trigger.data.reason}`, orderSummary(contact), 'Anything charged for this order is refunded.'),
      };
    default: {
      const exhaustive: never = trigger;
      return exhaustive;
    }
  }
}
