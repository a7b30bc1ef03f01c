/**
 * What the payment service decides, as one decider over a customer's ledger (the account, and the
 * order's payment when there is one): deposits (from its API), charging for a purchase, and
 * refunding when the order is rejected or cancelled (compensation in the order saga).
 * Pure: ids and time come in with the command.
 */
import { byType, DomainError, type Decider } from '@webshop/domain';
import type { EventData } from '@webshop/events';
import { emptyLedger, evolve, type Ledger, type LedgerEvent } from './payment';

/** Cents are JavaScript numbers end to end; above this they stop being exact. */
export const MAX_BALANCE_CENTS = Number.MAX_SAFE_INTEGER;

export type PaymentCommand =
  /** Money paid in. `amountCents` is a positive integer, checked at the edge. */
  | { type: 'Deposit'; depositId: string; customerId: string; amountCents: number; now: string }
  /** The order's total, charged once; `paymentId` is the id the payment gets if it is processed. */
  | { type: 'ChargeForPurchase'; purchase: EventData<'PurchaseRequested'>; paymentId: string; now: string }
  /** The order was rejected or cancelled: give back what it was charged. */
  | { type: 'RefundPayment'; now: string };

export const decide = byType<PaymentCommand, [Ledger], LedgerEvent[]>({ Deposit: deposit, ChargeForPurchase: chargeForPurchase, RefundPayment: refundPayment });

export const paymentDecider: Decider<PaymentCommand, Ledger, LedgerEvent> = { decide, evolve, initialState: emptyLedger };

function deposit(command: Extract<PaymentCommand, { type: 'Deposit' }>, { account }: Ledger): LedgerEvent[] {
  const { depositId, customerId, amountCents, now } = command;
  if ((account?.balanceCents ?? 0) + amountCents > MAX_BALANCE_CENTS) {
    throw new DomainError(422, 'balance_limit_exceeded', `the balance of ${customerId} would exceed ${MAX_BALANCE_CENTS} cents`);
  }
  return [{ type: 'FundsDeposited', data: { depositId, customerId, amountCents, depositedAt: now } }];
}

/**
 * Charges the order's total when the balance covers it, else declines with the reason. An order is
 * charged at most once: a second request for an order already decided changes nothing.
 */
function chargeForPurchase(command: Extract<PaymentCommand, { type: 'ChargeForPurchase' }>, { account, payment }: Ledger): LedgerEvent[] {
  if (payment) return [];
  const { purchase, paymentId, now } = command;
  const { orderId, customerId, totalCents } = purchase;
  const declined = (reason: EventData<'PaymentDeclined'>['reason']): LedgerEvent[] => [
    { type: 'PaymentDeclined', data: { orderId, customerId, amountCents: totalCents, reason, declinedAt: now } },
  ];
  if (!account) return declined('NO_ACCOUNT');
  if (account.balanceCents < totalCents) return declined('INSUFFICIENT_FUNDS');
  return [{ type: 'PaymentProcessed', data: { orderId, paymentId, customerId, amountCents: totalCents, processedAt: now } }];
}

/**
 * Compensation: gives the money back when the order was charged. Once only (a refunded payment is
 * no longer PROCESSED); a declined or unknown payment took no money, so there is nothing to give.
 */
function refundPayment({ now }: Extract<PaymentCommand, { type: 'RefundPayment' }>, { payment }: Ledger): LedgerEvent[] {
  if (payment?.status !== 'PROCESSED') return [];
  return [{ type: 'PaymentRefunded', data: { orderId: payment.orderId, paymentId: payment.paymentId, amountCents: payment.amountCents, refundedAt: now } }];
}
