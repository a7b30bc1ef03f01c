/**
 * Stock's part in the order saga: what it does about each event of the orders topic.
 *   PurchaseRequested            → hold every line or none (StockReserved / StockUnavailable);
 *   OrderConfirmed               → the held units are sold;
 *   OrderRejected/OrderCancelled → the units go back (StockReleased).
 * Events of one order share its key, so a purchase is always reserved before it is confirmed,
 * rejected or cancelled. Pure: the time comes in.
 */
import { byType } from '@webshop/domain';
import type { EventData, EventOf } from '@webshop/events';
import type { StockCommand } from '../domain/decide';

export const stockTriggers = ['PurchaseRequested', 'OrderConfirmed', 'OrderRejected', 'OrderCancelled'] as const;
export type StockTrigger = EventOf<(typeof stockTriggers)[number]>;

/** A purchase's lines, to be held: stock needs the skus and quantities, not the prices. */
export const reserveFor = ({ orderId, items }: Pick<EventData<'PurchaseRequested'>, 'orderId' | 'items'>, now: string): StockCommand => ({
  type: 'ReserveStock',
  orderId,
  lines: items.map(({ sku, quantity }) => ({ sku, quantity })),
  now,
});

const release = (_event: unknown, now: string): StockCommand => ({ type: 'ReleaseStock', now });

export const commandFor = byType<StockTrigger, [string], StockCommand>({
  PurchaseRequested: (event, now) => reserveFor(event.data, now),
  OrderConfirmed: (_event, now) => ({ type: 'CommitStock', now }),
  OrderRejected: release,
  OrderCancelled: release,
});
