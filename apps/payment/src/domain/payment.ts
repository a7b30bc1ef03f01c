/**
 * Accounts and payments as the payment service knows them, and how its own events change them.
 * Pure: no I/O, no clock.
 *
 * A payment is per order. It is charged once (PROCESSED) or declined (DECLINED), and a charged
 * payment is refunded at most once (REFUNDED). Balances are integer cents and never negative.
 */
import type { EventOf, PaymentDeclineReason } from '@webshop/events';

export interface Account {
  customerId: string;
  balanceCents: number;
}

export type PaymentStatus = 'PROCESSED' | 'DECLINED' | 'REFUNDED';

interface PaymentBase {
  orderId: string;
  customerId: string;
  amountCents: number;
}

export type Payment =
  | (PaymentBase & { status: 'PROCESSED'; paymentId: string; processedAt: string })
  | (PaymentBase & { status: 'DECLINED'; reason: PaymentDeclineReason; declinedAt: string })
  | (PaymentBase & { status: 'REFUNDED'; paymentId: string; processedAt: string; refundedAt: string });

/** What payment publishes (topic payments). */
export type PaymentEvent = EventOf<'PaymentProcessed'> | EventOf<'PaymentDeclined'> | EventOf<'PaymentRefunded'>;

/** Money paid in: a fact payment keeps to itself (no topic carries it; no other service needs it). */
export interface FundsDeposited {
  type: 'FundsDeposited';
  data: { depositId: string; customerId: string; amountCents: number; depositedAt: string };
}

/** Everything that changes a ledger. */
export type LedgerEvent = PaymentEvent | FundsDeposited;

/** Everything one decision about one order may touch: the customer's account and the order's payment. */
export interface Ledger {
  account: Account | null;
  payment: Payment | null;
}

export const emptyLedger = (): Ledger => ({ account: null, payment: null });

export function evolve(ledger: Ledger, event: LedgerEvent): Ledger {
  const { account, payment } = ledger;
  switch (event.type) {
    case 'FundsDeposited': {
      // A deposit opens the account when the customer has none: that is how a customer gets one.
      const { customerId, amountCents } = event.data;
      return { account: { customerId, balanceCents: (account?.balanceCents ?? 0) + amountCents }, payment };
    }
    case 'PaymentProcessed': {
      const d = event.data;
      return {
        account: account && { ...account, balanceCents: account.balanceCents - d.amountCents },
        payment: { status: 'PROCESSED', orderId: d.orderId, customerId: d.customerId, amountCents: d.amountCents, paymentId: d.paymentId, processedAt: d.processedAt },
      };
    }
    case 'PaymentDeclined': {
      const d = event.data;
      return {
        account,
        payment: { status: 'DECLINED', orderId: d.orderId, customerId: d.customerId, amountCents: d.amountCents, reason: d.reason, declinedAt: d.declinedAt },
      };
    }
    case 'PaymentRefunded': {
      // Only a processed payment is ever refunded (decide.ts); anything else is left as it is.
      if (payment?.status !== 'PROCESSED') return ledger;
      return {
        account: account && { ...account, balanceCents: account.balanceCents + event.data.amountCents },
        payment: { ...payment, status: 'REFUNDED', refundedAt: event.data.refundedAt },
      };
    }
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}
