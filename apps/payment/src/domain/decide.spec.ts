import type { EventData } from '@webshop/events';
import { chargeForPurchase, deposit, MAX_BALANCE_CENTS, PaymentRuleViolation, refundPayment } from './decide';
import { evolve, type Ledger, type PaymentEvent } from './payment';

const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
const paymentId = '0b9f0d64-1c1e-4c41-8c6e-3f5a6a7b8c9d';
const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();

const purchase: EventData<'PurchaseRequested'> = {
  orderId,
  customerId: 'ada',
  email: 'ada@example.com',
  items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
  totalCents: 900,
  shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  requestedAt: at(0),
};

const withBalance = (balanceCents: number): Ledger => ({ account: { customerId: 'ada', balanceCents }, payment: null });
const noAccount: Ledger = { account: null, payment: null };

const processed: PaymentEvent = { type: 'PaymentProcessed', data: { orderId, paymentId, customerId: 'ada', amountCents: 900, processedAt: at(1) } };
const declined: PaymentEvent = {
  type: 'PaymentDeclined',
  data: { orderId, customerId: 'ada', amountCents: 900, reason: 'INSUFFICIENT_FUNDS', declinedAt: at(1) },
};
const refunded: PaymentEvent = { type: 'PaymentRefunded', data: { orderId, paymentId, amountCents: 900, refundedAt: at(2) } };

/**
 * given(ledger, ...events that already happened).when(command).then(expected events) — and `then`
 * answers the ledger after the new events, so a test can say what they did to the balance.
 */
function decider<C>(decide: (ledger: Ledger, command: C) => PaymentEvent[]) {
  return {
    given: (start: Ledger, ...history: PaymentEvent[]) => {
      const state = history.reduce(evolve, start);
      return {
        when: (command: C) => {
          const events = decide(state, command);
          return {
            then(expected: PaymentEvent[]): Ledger {
              expect(events).toEqual(expected);
              return events.reduce(evolve, state);
            },
            thenNothingHappened(): void {
              expect(events).toEqual([]);
            },
          };
        },
      };
    },
  };
}

const charge = decider(chargeForPurchase);
const refund = decider(refundPayment);
const chargeCommand = { purchase, paymentId, now: at(1) };

describe('charging for a purchase', () => {
  it('debits the total when the balance covers it', () => {
    const after = charge.given(withBalance(1000)).when(chargeCommand).then([processed]);
    expect(after.account?.balanceCents).toBe(100);
    expect(after.payment).toMatchObject({ status: 'PROCESSED', paymentId, amountCents: 900 });
  });

  it('may take the balance down to exactly zero', () => {
    const after = charge.given(withBalance(900)).when(chargeCommand).then([processed]);
    expect(after.account?.balanceCents).toBe(0);
  });

  it('declines with INSUFFICIENT_FUNDS when the balance is short, taking nothing', () => {
    const after = charge.given(withBalance(899)).when(chargeCommand).then([
      { type: 'PaymentDeclined', data: { orderId, customerId: 'ada', amountCents: 900, reason: 'INSUFFICIENT_FUNDS', declinedAt: at(1) } },
    ]);
    expect(after.account?.balanceCents).toBe(899);
    expect(after.payment).toMatchObject({ status: 'DECLINED', reason: 'INSUFFICIENT_FUNDS' });
  });

  it('declines with NO_ACCOUNT when the customer never deposited', () => {
    charge.given(noAccount).when(chargeCommand).then([
      { type: 'PaymentDeclined', data: { orderId, customerId: 'ada', amountCents: 900, reason: 'NO_ACCOUNT', declinedAt: at(1) } },
    ]);
  });

  it('charges an order once: a second request for it changes nothing', () => {
    charge.given(withBalance(5000), processed).when({ ...chargeCommand, paymentId: '11111111-1111-4111-8111-111111111111' }).thenNothingHappened();
    charge.given(withBalance(5000), declined).when(chargeCommand).thenNothingHappened();
  });
});

describe('refunding on rejection or cancellation', () => {
  it('gives back what was charged', () => {
    const after = refund.given(withBalance(1000), processed).when({ now: at(2) }).then([refunded]);
    expect(after.account?.balanceCents).toBe(1000);
    expect(after.payment).toMatchObject({ status: 'REFUNDED', paymentId, refundedAt: at(2) });
  });

  it('refunds only once', () => {
    refund.given(withBalance(1000), processed, refunded).when({ now: at(3) }).thenNothingHappened();
  });

  it('refunds nothing when the payment was declined', () => {
    refund.given(withBalance(100), declined).when({ now: at(2) }).thenNothingHappened();
  });

  it('refunds nothing for an order it never charged', () => {
    refund.given(withBalance(100)).when({ now: at(2) }).thenNothingHappened();
  });
});

describe('depositing', () => {
  it('opens the account with the first deposit', () => {
    expect(deposit(null, { customerId: 'ada', amountCents: 500 })).toEqual({ customerId: 'ada', balanceCents: 500 });
  });

  it('adds to the balance', () => {
    expect(deposit({ customerId: 'ada', balanceCents: 500 }, { customerId: 'ada', amountCents: 250 })).toEqual({ customerId: 'ada', balanceCents: 750 });
  });

  it('refuses a balance beyond what cents can count exactly', () => {
    expect(() => deposit({ customerId: 'ada', balanceCents: MAX_BALANCE_CENTS }, { customerId: 'ada', amountCents: 1 })).toThrow(PaymentRuleViolation);
  });
});
