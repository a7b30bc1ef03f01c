/**
 * What email does with each event it reads, inside the consumer's transaction. It never talks SMTP
 * here: it only plans the email to send (PENDING, through the decider), and the sender
 * (adapters/smtp/email-sender.ts) sends it once the transaction committed.
 *   PurchaseRequested → remember who to write to (projections/order-contacts.ts: also in a replay),
 *                       and plan the emails of triggers that waited for it (live only);
 *   OrderConfirmed, OrderRejected, OrderCancelled, ShipmentDispatched
 *                     → one email each (workflows/email-per-trigger.ts, live only).
 *
 * The orders topic puts PurchaseRequested before the other events of its order, so those always
 * find the contact. ShipmentDispatched travels on the shipments topic and may be read first (a
 * fresh start on a backlog, a lagging partition). It is not retried until the contact shows up:
 * kafkajs feeds all of a consumer's partitions through one handler in turn and fetches again only
 * when the whole fetch is handled, so a record retried until another topic catches up would wait
 * for ever, and hold up everything else. It waits in deferred_triggers instead, and the order's
 * PurchaseRequested plans its email.
 */
import { randomUUID } from 'node:crypto';
import { topicsReadBy } from '@webshop/events';
import { NonRetriableError, type EventHandlers } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { decideAndRecord, eventHandlersFor, onEach, type Mode } from '@webshop/runtime';
import { emailDecider } from '../../domain/email';
import { emailTriggerTypes, type EmailTrigger, type OrderContact } from '../../domain/templates';
import { orderContacts, orderContactTriggers } from '../../projections/order-contacts';
import { commandFor } from '../../workflows/email-per-trigger';
import { deferTrigger, loadContact, lockOrder, orderEmails, rememberContact, takeDeferredTriggers, type EmailCause } from '../pg/email-store';

/** What the registry says email reads (and the broker's ACLs let it read). */
export const consumedTopics = topicsReadBy('email');

export function emailEventHandlers(mode: Mode, { clock = () => new Date(), newEmailId = randomUUID } = {}): EventHandlers {
  const rememberWhoToWrite = onEach(orderContactTriggers, async (event, tx) => {
    const known = await loadContact(tx, event.data.orderId);
    const next = orderContacts.evolve(known, event);
    if (next && next !== known) await rememberContact(tx, next);
  });

  /** Plans the email the trigger calls for, unless the order has one of that template already. */
  const planEmail = (tx: PoolClient, contact: OrderContact, trigger: EmailTrigger, cause: EmailCause) =>
    decideAndRecord(tx, 'email', emailDecider, orderEmails(contact.orderId, cause), () =>
      commandFor(trigger, contact, { emailId: newEmailId(), now: clock().toISOString() }),
    );

  // lockOrder before the contact is read, on both sides: a PurchaseRequested and an early
  // ShipmentDispatched of one order, handled at once, must not both miss each other.
  const planWaitingEmails = onEach(['PurchaseRequested'], async (event, tx) => {
    const { orderId } = event.data;
    await lockOrder(tx, orderId);
    const contact = (await loadContact(tx, orderId))!; // the projection stored it just now, if no earlier one had
    for (const { trigger, cause } of await takeDeferredTriggers(tx, orderId)) await planEmail(tx, contact, trigger, cause);
  });

  const emailPerTrigger = onEach(emailTriggerTypes, async (incoming, tx) => {
    const event = incoming as typeof incoming & EmailTrigger;
    const { orderId } = event.data;
    const cause = { eventId: event.eventId, traceparent: event.traceparent };
    await lockOrder(tx, orderId);
    const contact = await loadContact(tx, orderId);
    if (contact) {
      await planEmail(tx, contact, event, cause);
      return;
    }
    if (event.type === 'ShipmentDispatched') return deferTrigger(tx, event, cause);
    throw new NonRetriableError('unknown_order', `${event.type} for order ${orderId}, which email never saw requested`);
  });

  return eventHandlersFor({ projections: [rememberWhoToWrite], workflows: [planWaitingEmails, emailPerTrigger] }, mode);
}
