import type { EventData } from '@webshop/events';
import { deciderSpec } from '@webshop/testing';
import { MAX_BALANCE_CENTS, paymentDecider, type PaymentCommand } from './decide';
import type { Ledger, LedgerEvent, PaymentEvent } from './payment';

const orderId = '6f1c2a54-4d43-4c38-9d0a-0f8e3c1b2a01';
const paymentId = '0b9f0d64-1c1e-4c41-8c6e-3f5a6a7b8c9d';
const depositId = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f';
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

const deposited = (amountCents: number, s = 0): LedgerEvent => ({ type: 'FundsDeposited', data: { depositId, customerId: 'ada', amountCents, depositedAt: at(s) } });
const processed: PaymentEvent = { type: 'PaymentProcessed', data: { orderId, paymentId, customerId: 'ada', amountCents: 900, processedAt: at(1) } };
const declined: PaymentEvent = {
  type: 'PaymentDeclined',
  data: { orderId, customerId: 'ada', amountCents: 900, reason: 'INSUFFICIENT_FUNDS', declinedAt: at(1) },
};
const refunded: PaymentEvent = { type: 'PaymentRefunded', data: { orderId, paymentId, amountCents: 900, refundedAt: at(2) } };

const spec = deciderSpec(paymentDecider);
const charge: PaymentCommand = { type: 'ChargeForPurchase', purchase, paymentId, now: at(1) };
const refund = (s: number): PaymentCommand => ({ type: 'RefundPayment', now: at(s) });
const deposit = (amountCents: number): PaymentCommand => ({ type: 'Deposit', depositId, customerId: 'ada', amountCents, now: at(0) });
const balanceOf = (ledger: Ledger) => ledger.account?.balanceCents;

describe('charging for a purchase', () => {
  it('debits the total when the balance covers it', () => {
    const after = spec.given([deposited(1000)]).when(charge).then([processed]).state;
    expect(balanceOf(after)).toBe(100);
    expect(after.payment).toMatchObject({ status: 'PROCESSED', paymentId, amountCents: 900 });
  });

  it('may take the balance down to exactly zero', () => {
    expect(balanceOf(spec.given([deposited(900)]).when(charge).then([processed]).state)).toBe(0);
  });

  it('declines with INSUFFICIENT_FUNDS when the balance is short, taking nothing', () => {
    const after = spec.given([deposited(899)]).when(charge).then([
      { type: 'PaymentDeclined', data: { orderId, customerId: 'ada', amountCents: 900, reason: 'INSUFFICIENT_FUNDS', declinedAt: at(1) } },
    ]).state;
    expect(balanceOf(after)).toBe(899);
    expect(after.payment).toMatchObject({ status: 'DECLINED', reason: 'INSUFFICIENT_FUNDS' });
  });

  it('declines with NO_ACCOUNT when the customer never deposited', () => {
    spec.given().when(charge).then([
      { type: 'PaymentDeclined', data: { orderId, customerId: 'ada', amountCents: 900, reason: 'NO_ACCOUNT', declinedAt: at(1) } },
    ]);
  });

  it('charges an order once: a second request for it changes nothing', () => {
    spec.given([deposited(5000), processed]).when({ ...charge, paymentId: '11111111-1111-4111-8111-111111111111' }).thenNothingHappened();
    spec.given([deposited(5000), declined]).when(charge).thenNothingHappened();
  });
});

describe('refunding on rejection or cancellation', () => {
  it('gives back what was charged', () => {
    const after = spec.given([deposited(1900), processed]).when(refund(2)).then([refunded]).state;
    expect(balanceOf(after)).toBe(1900);
    expect(after.payment).toMatchObject({ status: 'REFUNDED', paymentId, refundedAt: at(2) });
  });

  it('refunds only once', () => {
    spec.given([deposited(1000), processed, refunded]).when(refund(3)).thenNothingHappened();
  });

  it('refunds nothing when the payment was declined', () => {
    spec.given([deposited(100), declined]).when(refund(2)).thenNothingHappened();
  });

  it('refunds nothing for an order it never charged', () => {
    spec.given([deposited(100)]).when(refund(2)).thenNothingHappened();
  });
});

describe('depositing', () => {
  it('opens the account with the first deposit', () => {
    expect(spec.given().when(deposit(500)).then([deposited(500)]).state.account).toEqual({ customerId: 'ada', balanceCents: 500 });
  });

  it('adds to the balance', () => {
    expect(balanceOf(spec.given([deposited(500)]).when(deposit(250)).then([deposited(250)]).state)).toBe(750);
  });

  it('refuses a balance beyond what cents can count exactly', () => {
    const full: Ledger = { account: { customerId: 'ada', balanceCents: MAX_BALANCE_CENTS }, payment: null };
    spec.givenState(full).when(deposit(1)).thenThrows('balance_limit_exceeded');
  });
});
