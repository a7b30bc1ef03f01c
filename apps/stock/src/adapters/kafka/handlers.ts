/**
 * Stock's consumer: each event of the orders topic becomes a command (workflows/order-stock.ts)
 * decided on the order's reservation and products in the consumer's transaction (the runner records
 * the event id in the inbox in the same one). Every change to a level is published as
 * ProductUpdated. Stock keeps no read model of other services' events: no projection.
 */
import { topicsReadBy, type EventData } from '@webshop/events';
import type { EventHandler, EventHandlers } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { decideAndRecord, eventHandlersFor, onEach, type Cause } from '@webshop/runtime';
import { stockDecider, type StockCommand } from '../../domain/decide';
import type { Reservation } from '../../domain/stock';
import { commandFor, reserveFor, stockTriggers, type StockTrigger } from '../../workflows/order-stock';
import { orderView } from '../pg/stock-store';

/** What the registry says stock reads (and the broker's ACLs let it read). */
export const consumedTopics = topicsReadBy('stock');

type Clock = () => Date;

const reservedSkus = (reservation: Reservation | null) => reservation?.items.map((i) => i.sku) ?? [];

/** Decides `command` on the order's view; the time is read only once the locks are held. */
function decideForOrder(tx: PoolClient, orderId: string, skus: (reservation: Reservation | null) => readonly string[], command: (now: string) => StockCommand, clock: Clock, causedBy?: Cause) {
  return decideAndRecord(tx, 'stock', stockDecider, orderView(orderId, skus), () => command(clock().toISOString()), causedBy);
}

/** Reserves stock for a purchase in the caller's transaction: all lines or none, never below zero. */
export function reserveStock(tx: PoolClient, purchase: Pick<EventData<'PurchaseRequested'>, 'orderId' | 'items'>, clock: Clock, causedBy?: Cause) {
  const skus = () => purchase.items.map((i) => i.sku);
  return decideForOrder(tx, purchase.orderId, skus, (now) => reserveFor(purchase, now), clock, causedBy);
}

export function stockEventHandlers(clock: Clock = () => new Date()): EventHandlers {
  const onOrderEvent: EventHandler<StockTrigger['type']> = async (incoming, tx) => {
    const event = incoming as typeof incoming & StockTrigger;
    if (event.type === 'PurchaseRequested') {
      await reserveStock(tx, event.data, clock, incoming);
      return;
    }
    await decideForOrder(tx, event.data.orderId, reservedSkus, (now) => commandFor(event, now), clock, incoming);
  };
  return eventHandlersFor({ workflows: [onEach(stockTriggers, onOrderEvent)] }, 'live');
}
