/**
 * Payment's consumer: each event of the orders topic becomes a command (workflows/order-payments.ts)
 * decided on the order's ledger in the consumer's transaction (the runner records the event id in
 * the inbox in the same one). Payment keeps no read model of other services' events, so it has no
 * projection: a replay has nothing to rebuild here.
 */
import { randomUUID } from 'node:crypto';
import { topicsReadBy } from '@webshop/events';
import type { EventHandler, EventHandlers } from '@webshop/kafka';
import { decideAndRecord, eventHandlersFor, onEach } from '@webshop/runtime';
import { paymentDecider } from '../../domain/decide';
import { commandFor, paymentTriggers, type PaymentTrigger } from '../../workflows/order-payments';
import { chargedLedger, purchaseLedger } from '../pg/payment-store';

/** What the registry says payment reads (and the broker's ACLs let it read). */
export const consumedTopics = topicsReadBy('payment');

export function paymentEventHandlers(clock: () => Date = () => new Date(), newId: () => string = randomUUID): EventHandlers {
  const onOrderEvent: EventHandler<PaymentTrigger['type']> = async (incoming, tx) => {
    const event = incoming as typeof incoming & PaymentTrigger;
    const now = clock().toISOString();
    const ledger = event.type === 'PurchaseRequested' ? purchaseLedger(event.data.customerId, event.data.orderId, now) : chargedLedger(event.data.orderId, now);
    await decideAndRecord(tx, 'payment', paymentDecider, ledger, commandFor(event, { paymentId: newId(), now }), incoming);
  };
  return eventHandlersFor({ workflows: [onEach(paymentTriggers, onOrderEvent)] }, 'live');
}
