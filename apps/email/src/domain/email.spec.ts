import { deciderSpec } from '@webshop/testing';
import { emailDecider, type EmailCommand, type EmailEvent } from './email';
import { formatCents, renderEmail, type EmailTrigger, type OrderContact } from './templates';

const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
const emailId = '0b9f0d64-1c1e-4c41-8c6e-3f5a6a7b8c9d';
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();

const contact: OrderContact = {
  orderId,
  customerId: 'ada',
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  items: [
    { sku: 'TEA-1', quantity: 2, unitPriceCents: 450 },
    { sku: 'CUP-2', quantity: 1, unitPriceCents: 1205 },
  ],
  totalCents: 2105,
  requestedAt: at(0),
};

const confirmed: EmailTrigger = { type: 'OrderConfirmed', data: { orderId, paymentId: emailId, confirmedAt: at(1) } };
const rejected: EmailTrigger = {
  type: 'OrderRejected',
  data: { orderId, reason: 'OUT_OF_STOCK', detail: 'TEA-1: requested 2, available 1', rejectedAt: at(1) },
};
const declined: EmailTrigger = { type: 'OrderRejected', data: { orderId, reason: 'PAYMENT_DECLINED', detail: 'the balance does not cover the total', rejectedAt: at(1) } };
const dispatched: EmailTrigger = {
  type: 'ShipmentDispatched',
  data: { orderId, shipmentId: emailId, trackingNumber: 'TRK-AB12CD34EF', at: at(2) },
};
const cancelled: EmailTrigger = { type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', cancelledAt: at(3) } };

describe('the email templates', () => {
  it('confirms the order, greeting the customer and listing what they ordered', () => {
    const email = renderEmail(contact, confirmed);
    expect(email.template).toBe('ORDER_CONFIRMED');
    expect(email.subject).toBe('Your order 6f1c2a54 is confirmed');
    expect(email.body).toMatch(/^Hello Ada Lovelace,/);
    expect(email.body).toContain(`Order ${orderId}`);
    expect(email.body).toContain('2 × TEA-1 at 4.50 = 9.00');
    expect(email.body).toContain('1 × CUP-2 at 12.05 = 12.05');
    expect(email.body).toContain('Total: 21.05');
  });

  it('says why an order was rejected', () => {
    const outOfStock = renderEmail(contact, rejected);
    expect(outOfStock.template).toBe('ORDER_REJECTED');
    expect(outOfStock.subject).toBe('We could not accept your order 6f1c2a54');
    expect(outOfStock.body).toContain('out of stock (OUT_OF_STOCK)');
    expect(outOfStock.body).toContain('TEA-1: requested 2, available 1');
    expect(renderEmail(contact, declined).body).toContain('the payment was declined (PAYMENT_DECLINED)');
  });

  it('gives the tracking number when the order ships', () => {
    const email = renderEmail(contact, dispatched);
    expect(email).toMatchObject({ template: 'ORDER_SHIPPED', subject: 'Your order 6f1c2a54 is on its way' });
    expect(email.body).toContain('Tracking number: TRK-AB12CD34EF');
  });

  it('confirms a cancellation with its reason', () => {
    const email = renderEmail(contact, cancelled);
    expect(email).toMatchObject({ template: 'ORDER_CANCELLED', subject: 'Your order 6f1c2a54 is cancelled' });
    expect(email.body).toContain('Reason: changed my mind');
  });

  it('formats cents without floating-point surprises', () => {
    expect([0, 5, 99, 100, 1205, 123456789].map(formatCents)).toEqual(['0.00', '0.05', '0.99', '1.00', '12.05', '1234567.89']);
  });
});

const spec = deciderSpec(emailDecider);
const plan = (trigger: EmailTrigger, s = 4): EmailCommand => ({ type: 'PlanEmail', contact, trigger, emailId, now: at(s) });
const recordSentAt = (s: number): EmailCommand => ({ type: 'RecordEmailSent', emailId, now: at(s) });
const planned = (trigger: EmailTrigger, id = emailId): EmailEvent => {
  const { template, subject, body } = renderEmail(contact, trigger);
  return { type: 'EmailPlanned', data: { emailId: id, orderId, template, to: 'ada@example.com', subject, body, plannedAt: at(4) } };
};
const sent = (s: number): EmailEvent => ({ type: 'EmailSent', data: { orderId, emailId, to: 'ada@example.com', template: 'ORDER_CONFIRMED', sentAt: at(s) } });
const otherEmailId = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

describe('planning emails', () => {
  it('plans one PENDING email to the customer for the event', () => {
    const after = spec.given().when(plan(confirmed)).then([planned(confirmed)]).state;
    expect(after).toEqual([
      {
        emailId,
        orderId,
        template: 'ORDER_CONFIRMED',
        to: 'ada@example.com',
        subject: 'Your order 6f1c2a54 is confirmed',
        body: renderEmail(contact, confirmed).body,
        createdAt: at(4),
        attempts: 0,
        status: 'PENDING',
        lastError: null,
      },
    ]);
  });

  it('plans only one email per order and template', () => {
    spec.given([planned(confirmed)]).when(plan(confirmed, 9)).thenNothingHappened();
    spec.given([planned(rejected)]).when(plan(declined, 9)).thenNothingHappened();
    spec.given([planned(confirmed), sent(5)]).when(plan(confirmed, 9)).thenNothingHappened();
  });

  it('plans emails of other templates for the same order', () => {
    spec.given([planned(confirmed, otherEmailId)]).when(plan(dispatched)).then([planned(dispatched)]);
    const after = spec.given([planned(confirmed, otherEmailId)]).when(plan(cancelled)).then([planned(cancelled)]).state;
    expect(after.map((email) => email.template)).toEqual(['ORDER_CONFIRMED', 'ORDER_CANCELLED']);
  });
});

describe('sending', () => {
  it('reports a sent email once, and marks it SENT', () => {
    const afterSent = spec.given([planned(confirmed)]).when(recordSentAt(5)).then([sent(5)]);
    const [email] = afterSent.state;
    expect(email).toMatchObject({ status: 'SENT', sentAt: at(5), attempts: 1 });
    expect(email).not.toHaveProperty('lastError');
    afterSent.when(recordSentAt(6)).thenNothingHappened();
  });

  it('changes nothing when the report is applied twice', () => {
    expect(spec.given([planned(confirmed), sent(5), sent(5)]).state).toEqual(spec.given([planned(confirmed), sent(5)]).state);
  });

  it('refuses to report an email it does not know', () => {
    expect(spec.given([planned(confirmed, otherEmailId)]).when(recordSentAt(5)).thenThrows('not_found').status).toBe(404);
  });
});
