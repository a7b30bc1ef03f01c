/**
 * What email does with each event it reads, inside the consumer's transaction. It never talks SMTP
 * here: it only records the email to send (PENDING), and the sender (adapters/smtp/email-sender.ts)
 * sends it once the transaction committed.
 *   PurchaseRequested → remember who to write to (projection: also in a replay);
 *   OrderConfirmed, OrderRejected, OrderCancelled, ShipmentDispatched → one email each (live only).
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
import { topics } from '@webshop/events';
import { NonRetriableError, type EventHandler, type EventHandlers, type IncomingEvent } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { planEmail } from '../../domain/email';
import { emailTriggerTypes, type EmailTrigger, type OrderContact } from '../../domain/templates';
import {
  deferTrigger,
  insertEmail,
  loadContact,
  lockOrder,
  rememberContact,
  takeDeferredTriggers,
  templatesPlanned,
  type EmailCause,
} from '../pg/email-store';

export const consumedTopics = [topics.orders, topics.shipments];

export type Mode = 'live' | 'replay';

export function emailEventHandlers(mode: Mode, { clock = () => new Date(), newEmailId = randomUUID } = {}): EventHandlers {
  if (mode === 'replay') return { PurchaseRequested: (event, tx) => rememberContact(tx, event.data) };

  /** Records the email the trigger calls for, unless the order has one of that template already. */
  async function recordEmail(tx: PoolClient, contact: OrderContact, trigger: EmailTrigger, cause: EmailCause): Promise<void> {
    const planned = await templatesPlanned(tx, contact.orderId);
    const [email] = planEmail(contact, trigger, planned, { emailId: newEmailId(), now: clock().toISOString() });
    if (email) await insertEmail(tx, email, cause);
  }

  const onTrigger: EventHandler<EmailTrigger['type']> = async (incoming, tx) => {
    const event = incoming as IncomingEvent<EmailTrigger['type']> & EmailTrigger;
    const { orderId } = event.data;
    const cause = { eventId: event.eventId, traceparent: event.traceparent };
    await lockOrder(tx, orderId);
    const contact = await loadContact(tx, orderId);
    if (contact) return recordEmail(tx, contact, event, cause);
    if (event.type === 'ShipmentDispatched') return deferTrigger(tx, event, cause);
    throw new NonRetriableError('unknown_order', `${event.type} for order ${orderId}, which email never saw requested`);
  };

  const handlers: EventHandlers = {
    PurchaseRequested: async (event, tx) => {
      await lockOrder(tx, event.data.orderId);
      await rememberContact(tx, event.data);
      const contact = (await loadContact(tx, event.data.orderId))!;
      for (const { trigger, cause } of await takeDeferredTriggers(tx, contact.orderId)) await recordEmail(tx, contact, trigger, cause);
    },
  };
  for (const type of emailTriggerTypes) (handlers as Record<string, unknown>)[type] = onTrigger;
  return handlers;
}
