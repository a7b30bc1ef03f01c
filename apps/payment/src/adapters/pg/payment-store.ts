/**
 * SQL for accounts, deposits and payments, and the ledgers the decider decides on (what each
 * command locks and loads, and how the ledger after it is stored). Nothing here decides anything.
 */
import { NonRetriableError } from '@webshop/kafka';
import type { Pool, PoolClient } from '@webshop/postgres';
import type { DecisionStore } from '@webshop/runtime';
import type { Account, Ledger, LedgerEvent, Payment, PaymentStatus } from '../../domain/payment';

type Queryable = Pool | PoolClient;

interface PaymentRow {
  order_id: string;
  payment_id: string | null;
  customer_id: string;
  amount_cents: number;
  status: PaymentStatus;
  decline_reason: 'INSUFFICIENT_FUNDS' | 'NO_ACCOUNT' | null;
  processed_at: Date | null;
  declined_at: Date | null;
  refunded_at: Date | null;
}

const baseOf = (row: PaymentRow) => ({ orderId: row.order_id, customerId: row.customer_id, amountCents: row.amount_cents });
/** A row as the payment it stores, by status (each status has the columns it needs filled). */
const paymentOf: { [S in PaymentRow['status']]: (row: PaymentRow) => Extract<Payment, { status: S }> } = {
  PROCESSED: (row) => ({ ...baseOf(row), status: 'PROCESSED', paymentId: row.payment_id!, processedAt: row.processed_at!.toISOString() }),
  DECLINED: (row) => ({ ...baseOf(row), status: 'DECLINED', reason: row.decline_reason!, declinedAt: row.declined_at!.toISOString() }),
  REFUNDED: (row) => ({ ...baseOf(row), status: 'REFUNDED', paymentId: row.payment_id!, processedAt: row.processed_at!.toISOString(), refundedAt: row.refunded_at!.toISOString() }),
};

function toPayment(row: PaymentRow): Payment {
  const of = paymentOf[row.status];
  if (!of) throw new Error(`unknown payment status ${String(row.status)}`);
  return of(row);
}

/** The account, locked for the rest of the transaction when `forUpdate`: read-modify-write of a balance. */
export async function loadAccount(db: Queryable, customerId: string, forUpdate = false): Promise<Account | null> {
  const { rows } = await db.query<{ customer_id: string; balance_cents: number }>(
    `SELECT customer_id, balance_cents FROM accounts WHERE customer_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [customerId],
  );
  return rows[0] ? { customerId: rows[0].customer_id, balanceCents: rows[0].balance_cents } : null;
}

/** Creates the account with a zero balance unless it exists; either way, the caller then locks it. */
export async function openAccount(tx: PoolClient, customerId: string, now: string): Promise<void> {
  await tx.query(
    'INSERT INTO accounts (customer_id, balance_cents, created_at, updated_at) VALUES ($1, 0, $2, $2) ON CONFLICT (customer_id) DO NOTHING',
    [customerId, now],
  );
}

export async function saveBalance(tx: PoolClient, account: Account, now: string): Promise<void> {
  await tx.query('UPDATE accounts SET balance_cents = $2, updated_at = $3 WHERE customer_id = $1', [account.customerId, account.balanceCents, now]);
}

export async function recordDeposit(tx: PoolClient, deposit: { id: string; customerId: string; amountCents: number; at: string }): Promise<void> {
  await tx.query('INSERT INTO deposits (id, customer_id, amount_cents, at) VALUES ($1, $2, $3, $4)', [
    deposit.id,
    deposit.customerId,
    deposit.amountCents,
    deposit.at,
  ]);
}

export async function loadPayment(db: Queryable, orderId: string, forUpdate = false): Promise<Payment | null> {
  const { rows } = await db.query<PaymentRow>(`SELECT * FROM payments WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [orderId]);
  return rows[0] ? toPayment(rows[0]) : null;
}

export async function savePayment(tx: PoolClient, payment: Payment): Promise<void> {
  const paymentId = payment.status === 'DECLINED' ? null : payment.paymentId;
  const processedAt = payment.status === 'DECLINED' ? null : payment.processedAt;
  const declineReason = payment.status === 'DECLINED' ? payment.reason : null;
  const declinedAt = payment.status === 'DECLINED' ? payment.declinedAt : null;
  const refundedAt = payment.status === 'REFUNDED' ? payment.refundedAt : null;
  await tx.query(
    `INSERT INTO payments (order_id, payment_id, customer_id, amount_cents, status, decline_reason, processed_at, declined_at, refunded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (order_id) DO UPDATE SET status = $5, refunded_at = $9`,
    [payment.orderId, paymentId, payment.customerId, payment.amountCents, payment.status, declineReason, processedAt, declinedAt, refundedAt],
  );
}

type LedgerStore = DecisionStore<Ledger, LedgerEvent>;

/** Stores what the events did: the balance, the payment, and each deposit. */
const saveLedger =
  (now: string): LedgerStore['save'] =>
  async (tx, after, { before, events }) => {
    if (after.account && after.account !== before.account) await saveBalance(tx, after.account, now);
    if (after.payment && after.payment !== before.payment) await savePayment(tx, after.payment);
    for (const event of events) {
      if (event.type !== 'FundsDeposited') continue;
      const { depositId, customerId, amountCents, depositedAt } = event.data;
      await recordDeposit(tx, { id: depositId, customerId, amountCents, at: depositedAt });
    }
  };

/** A deposit's ledger: the account, opened with nothing in it when new, locked. */
export const depositLedger = (customerId: string, now: string): LedgerStore => ({
  async load(tx) {
    await openAccount(tx, customerId, now);
    return { account: await loadAccount(tx, customerId, true), payment: null };
  },
  save: saveLedger(now),
});

/**
 * A purchase's ledger: the customer's account and the order's payment. The account row stays locked
 * until commit: no other order or deposit can change the balance between the check and the debit
 * (and the CHECK constraint backs that up).
 */
export const purchaseLedger = (customerId: string, orderId: string, now: string): LedgerStore => ({
  async load(tx) {
    const account = await loadAccount(tx, customerId, true);
    return { account, payment: await loadPayment(tx, orderId, true) };
  },
  save: saveLedger(now),
});

/** A compensation's ledger: the order's payment and, when it took money, the account it came from. */
export const chargedLedger = (orderId: string, now: string): LedgerStore => ({
  async load(tx) {
    const payment = await loadPayment(tx, orderId, true);
    if (payment?.status !== 'PROCESSED') return { account: null, payment }; // nothing was taken
    const account = await loadAccount(tx, payment.customerId, true);
    if (!account) {
      // Accounts are never deleted, so a charged payment always has one; retrying cannot conjure it.
      throw new NonRetriableError('account_missing', `order ${payment.orderId} was charged to ${payment.customerId}, who has no account`);
    }
    return { account, payment };
  },
  save: saveLedger(now),
});
