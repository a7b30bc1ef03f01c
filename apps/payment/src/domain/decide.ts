/**
 * What the payment service decides: deposits (from its API), charging for a purchase, and refunding
 * when the order is rejected or cancelled (compensation in the order saga). Pure: ids and time come in.
 */
import type { EventData, EventOf } from '@webshop/events';
import type { Account, Ledger } from './payment';

export class PaymentRuleViolation extends Error {
  constructor(
    readonly code: 'balance_limit_exceeded',
    message: string,
  ) {
    super(message);
    this.name = 'PaymentRuleViolation';
  }
}

/** Cents are JavaScript numbers end to end; above this they stop being exact. */
export const MAX_BALANCE_CENTS = Number.MAX_SAFE_INTEGER;

export interface Deposit {
  customerId: string;
  /** A positive integer, checked at the edge. */
  amountCents: number;
}

/** A deposit opens the account when the customer has none: that is how a customer gets one. */
export function deposit(account: Account | null, command: Deposit): Account {
  const balanceCents = (account?.balanceCents ?? 0) + command.amountCents;
  if (balanceCents > MAX_BALANCE_CENTS) {
    throw new PaymentRuleViolation('balance_limit_exceeded', `the balance of ${command.customerId} would exceed ${MAX_BALANCE_CENTS} cents`);
  }
  return { customerId: command.customerId, balanceCents };
}

export interface ChargeForPurchase {
  purchase: EventData<'PurchaseRequested'>;
  /** The id the payment gets if it is processed. */
  paymentId: string;
  now: string;
}

/**
 * Charges the order's total when the balance covers it, else declines with the reason. An order is
 * charged at most once: a second request for an order already decided changes nothing.
 */
export function chargeForPurchase(
  { account, payment }: Ledger,
  { purchase, paymentId, now }: ChargeForPurchase,
): Array<EventOf<'PaymentProcessed'> | EventOf<'PaymentDeclined'>> {
  if (payment) return [];
  const { orderId, customerId, totalCents } = purchase;
  const declined = (reason: EventData<'PaymentDeclined'>['reason']) => [
    { type: 'PaymentDeclined' as const, data: { orderId, customerId, amountCents: totalCents, reason, declinedAt: now } },
  ];
  if (!account) return declined('NO_ACCOUNT');
  if (account.balanceCents < totalCents) return declined('INSUFFICIENT_FUNDS');
  return [{ type: 'PaymentProcessed', data: { orderId, paymentId, customerId, amountCents: totalCents, processedAt: now } }];
}

/**
 * Compensation: gives the money back when the order was charged. Once only (a refunded payment is
 * no longer PROCESSED); a declined or unknown payment took no money, so there is nothing to give.
 */
export function refundPayment({ payment }: Ledger, { now }: { now: string }): Array<EventOf<'PaymentRefunded'>> {
  if (payment?.status !== 'PROCESSED') return [];
  return [{ type: 'PaymentRefunded', data: { orderId: payment.orderId, paymentId: payment.paymentId, amountCents: payment.amountCents, refundedAt: now } }];
}
