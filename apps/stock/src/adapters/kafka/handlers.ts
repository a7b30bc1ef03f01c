/**
 * What stock does with each event it reads from the orders topic, inside the consumer's transaction
 * (the runner records the event id in the inbox in the same one):
 *   PurchaseRequested            → hold every line or none (StockReserved / StockUnavailable);
 *   OrderConfirmed               → the held units are sold;
 *   OrderRejected/OrderCancelled → the units go back (StockReleased).
 * Every change to a level is published as ProductUpdated. Events of one order share its key, so a
 * purchase is always reserved before it is confirmed, rejected or cancelled.
 */
import { topics, type EventData } from '@webshop/events';
import { appendToOutbox, type AnyIncomingEvent, type EventHandler, type EventHandlers } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { commit, release, reserve, type Decision, type StockView } from '../../domain/decide';
import { lockProducts, loadReservation, saveProducts, saveReservation } from '../pg/stock-store';

export const consumedTopics = [topics.orders];

type Clock = () => Date;
type Cause = Pick<AnyIncomingEvent, 'eventId' | 'traceparent'>;

/** Stores a decision and queues its events, in the caller's transaction. */
async function record(tx: PoolClient, decision: Decision, causedBy?: Cause): Promise<Decision> {
  if (decision.reservation) await saveReservation(tx, decision.reservation);
  await saveProducts(tx, decision.products);
  await appendToOutbox(tx, 'stock', decision.events.map((event) => ({ ...event, causedBy })));
  return decision;
}

/**
 * Locks the order's reservation, then the products it needs in sku order (every path takes product
 * locks in that order), and reads the time only once it holds them.
 */
async function lockForOrder(tx: PoolClient, orderId: string, skusOf: (reservation: StockView['reservation']) => string[], clock: Clock) {
  const reservation = await loadReservation(tx, orderId, true);
  const products = await lockProducts(tx, skusOf(reservation));
  return { view: { reservation, products } satisfies StockView, now: clock().toISOString() };
}

const reservedSkus = (reservation: StockView['reservation']) => reservation?.items.map((i) => i.sku) ?? [];

/** Reserves stock for a purchase in the caller's transaction: all lines or none, never below zero. */
export async function reserveStock(tx: PoolClient, purchase: Pick<EventData<'PurchaseRequested'>, 'orderId' | 'items'>, clock: Clock, causedBy?: Cause): Promise<Decision> {
  const { view, now } = await lockForOrder(tx, purchase.orderId, () => purchase.items.map((i) => i.sku), clock);
  const lines = purchase.items.map(({ sku, quantity }) => ({ sku, quantity }));
  return record(tx, reserve(view, { orderId: purchase.orderId, lines, now }), causedBy);
}

export async function commitStock(tx: PoolClient, orderId: string, clock: Clock, causedBy?: Cause): Promise<Decision> {
  const { view, now } = await lockForOrder(tx, orderId, reservedSkus, clock);
  return record(tx, commit(view, { now }), causedBy);
}

export async function releaseStock(tx: PoolClient, orderId: string, clock: Clock, causedBy?: Cause): Promise<Decision> {
  const { view, now } = await lockForOrder(tx, orderId, reservedSkus, clock);
  return record(tx, release(view, { now }), causedBy);
}

export function stockEventHandlers(clock: Clock = () => new Date()): EventHandlers {
  const giveBack: EventHandler<'OrderRejected' | 'OrderCancelled'> = async (event, tx) => {
    await releaseStock(tx, event.data.orderId, clock, event);
  };
  return {
    PurchaseRequested: async (event, tx) => {
      await reserveStock(tx, event.data, clock, event);
    },
    OrderConfirmed: async (event, tx) => {
      await commitStock(tx, event.data.orderId, clock, event);
    },
    OrderRejected: giveBack,
    OrderCancelled: giveBack,
  };
}
