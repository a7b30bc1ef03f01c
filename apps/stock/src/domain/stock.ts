/**
 * The catalogue and its stock levels as the stock service keeps them, and the reservations it holds
 * for orders. Pure: no I/O, no clock.
 *
 * Units of a product are in one of two places: `available` (can still be sold) or `reserved` (held
 * for an order that is not confirmed yet). Confirming an order sells its reserved units; releasing
 * a reservation puts its units back on the shelf. Neither number is ever negative.
 */
import type { EventOf, ProductUpdated, StockLine } from '@webshop/events';

/** A product's catalogue entry and stock level: exactly what ProductUpdated publishes. */
export type Product = ProductUpdated;

/**
 *   RESERVED    units held (available → reserved)
 *   COMMITTED   the order was confirmed: the held units are sold (reserved → gone)
 *   RELEASED    the order was rejected or cancelled: the units are back in `available`
 *   UNAVAILABLE some line was short: nothing was held
 */
export type ReservationStatus = 'RESERVED' | 'COMMITTED' | 'RELEASED' | 'UNAVAILABLE';

export interface Reservation {
  orderId: string;
  /** One line per sku. */
  items: StockLine[];
  status: ReservationStatus;
  updatedAt: string;
}

/** What stock publishes: the answers about orders (topic stock) and the levels (topic products). */
export type StockEvent = EventOf<'StockReserved'> | EventOf<'StockUnavailable'> | EventOf<'StockReleased'> | EventOf<'ProductUpdated'>;

/** The order's held units were sold: a fact stock keeps to itself (the world sees the new levels). */
export interface ReservationCommitted {
  type: 'ReservationCommitted';
  data: { orderId: string; committedAt: string };
}

/** Everything that changes what stock knows. */
export type StockFact = StockEvent | ReservationCommitted;

/** What a decision looks at: the order's reservation (if it is about an order) and products by sku. */
export interface StockView {
  reservation: Reservation | null;
  products: ReadonlyMap<string, Product>;
}

export const emptyView = (): StockView => ({ reservation: null, products: new Map() });

export function evolve(view: StockView, event: StockFact): StockView {
  switch (event.type) {
    case 'ProductUpdated':
      return { ...view, products: new Map(view.products).set(event.data.sku, { ...event.data }) };
    case 'StockReserved': {
      const { orderId, items, reservedAt } = event.data;
      return { ...view, reservation: { orderId, items, status: 'RESERVED', updatedAt: reservedAt } };
    }
    case 'StockUnavailable': {
      // An unavailable reservation holds nothing; it keeps the lines that were short, as told.
      const { orderId, missing, checkedAt } = event.data;
      const items = missing.map(({ sku, requested }) => ({ sku, quantity: requested }));
      return { ...view, reservation: { orderId, items, status: 'UNAVAILABLE', updatedAt: checkedAt } };
    }
    case 'ReservationCommitted':
      return view.reservation ? { ...view, reservation: { ...view.reservation, status: 'COMMITTED', updatedAt: event.data.committedAt } } : view;
    case 'StockReleased':
      return view.reservation ? { ...view, reservation: { ...view.reservation, status: 'RELEASED', updatedAt: event.data.releasedAt } } : view;
    default: {
      const exhaustive: never = event;
      return exhaustive;
    }
  }
}

/** The catalogue entry and level as other services see it. */
export const productUpdated = (product: Product): EventOf<'ProductUpdated'> => ({
  type: 'ProductUpdated',
  data: {
    sku: product.sku,
    name: product.name,
    priceCents: product.priceCents,
    available: product.available,
    reserved: product.reserved,
    updatedAt: product.updatedAt,
  },
});

/**
 * The time a change to `product` is stamped with: never earlier than its last change, so readers
 * that keep the newest version by `updatedAt` (orders' catalogue copy) never drop a later change
 * whose clock happened to lag (another instance, or a transaction that waited for the row lock).
 */
export const stampFor = (product: Pick<Product, 'updatedAt'> | null, now: string): string =>
  product && product.updatedAt > now ? product.updatedAt : now;
