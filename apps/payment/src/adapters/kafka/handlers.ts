/**
 * What payment does with each event it reads from the orders topic, inside the consumer's
 * transaction (the runner records the event id in the inbox in the same one):
 *   PurchaseRequested           → charge the order's total (PaymentProcessed) or decline it;
 *   OrderRejected/OrderCancelled → give the money back if it was taken (PaymentRefunded).
 * Events of one order share its key, so a purchase is always charged before it is compensated.
 */
import { randomUUID } from 'node:crypto';
import { topics } from '@webshop/events';
import { appendToOutbox, NonRetriableError, type AnyIncomingEvent, type EventHandler, type EventHandlers } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { chargeForPurchase, refundPayment } from '../../domain/decide';
import { evolve, type Ledger, type PaymentEvent } from '../../domain/payment';
import { loadAccount, loadPayment, saveBalance, savePayment } from '../pg/payment-store';

export const consumedTopics = [topics.orders];

/** Stores what the events did to the ledger and queues them for publishing, in the caller's transaction. */
async function record(tx: PoolClient, before: Ledger, events: PaymentEvent[], causedBy: AnyIncomingEvent, now: string): Promise<void> {
  if (events.length === 0) return;
  const after = events.reduce(evolve, before);
  if (after.account && after.account !== before.account) await saveBalance(tx, after.account, now);
  if (after.payment) await savePayment(tx, after.payment);
  await appendToOutbox(tx, 'payment', events.map((event) => ({ ...event, causedBy })));
}

export function paymentEventHandlers(clock: () => Date = () => new Date(), newId: () => string = randomUUID): EventHandlers {
  const compensate: EventHandler<'OrderRejected' | 'OrderCancelled'> = async (event, tx) => {
    const payment = await loadPayment(tx, event.data.orderId, true);
    if (payment?.status !== 'PROCESSED') return; // declined, refunded already, or never asked for
    const account = await loadAccount(tx, payment.customerId, true);
    if (!account) {
      // Accounts are never deleted, so a charged payment always has one; retrying cannot conjure it.
      throw new NonRetriableError('account_missing', `order ${payment.orderId} was charged to ${payment.customerId}, who has no account`);
    }
    const ledger = { account, payment };
    const now = clock().toISOString();
    await record(tx, ledger, refundPayment(ledger, { now }), event as AnyIncomingEvent, now);
  };

  return {
    PurchaseRequested: async (event, tx) => {
      const { orderId, customerId } = event.data;
      // The account row stays locked until commit: no other order or deposit can change the balance
      // between the check and the debit (and the CHECK constraint backs that up).
      const account = await loadAccount(tx, customerId, true);
      const payment = await loadPayment(tx, orderId, true);
      const ledger = { account, payment };
      const now = clock().toISOString();
      await record(tx, ledger, chargeForPurchase(ledger, { purchase: event.data, paymentId: newId(), now }), event as AnyIncomingEvent, now);
    },
    OrderRejected: compensate,
    OrderCancelled: compensate,
  };
}
