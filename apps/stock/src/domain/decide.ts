/**
 * What the stock service decides, as one decider over a view of its products (and, for the order
 * flow, the order's reservation): the catalogue (from its API) and the reservations of the order
 * flow (from the orders topic). Pure: time comes in with the command. Every change to a level is
 * told as ProductUpdated, which is also how the view learns it.
 */
import { byType, DomainError, type Decider } from '@webshop/domain';
import type { EventOf, StockLine } from '@webshop/events';
import { emptyView, evolve, productUpdated, stampFor, type Product, type StockFact, type StockView } from './stock';

/** `available` and `reserved` are Postgres `int` columns. */
export const MAX_UNITS = 2 ** 31 - 1;

export type StockCommand =
  /** Creates the product with no stock, or renames and reprices it, keeping its stock. */
  | { type: 'DefineProduct'; sku: string; name: string; priceCents: number; now: string }
  /** New units arrive and can be sold at once. */
  | { type: 'Restock'; sku: string; quantity: number; now: string }
  /** Hold every line of the order or none. */
  | { type: 'ReserveStock'; orderId: string; lines: readonly StockLine[]; now: string }
  /** The order was confirmed: its held units are sold. */
  | { type: 'CommitStock'; now: string }
  /** The order was rejected or cancelled: its units go back on the shelf. */
  | { type: 'ReleaseStock'; now: string };

export const decide = byType<StockCommand, [StockView], StockFact[]>({
  DefineProduct: defineProduct,
  Restock: restock,
  ReserveStock: reserve,
  CommitStock: commit,
  ReleaseStock: release,
});

export const stockDecider: Decider<StockCommand, StockView, StockFact> = { decide, evolve, initialState: emptyView };

// --- the catalogue ----------------------------------------------------------------------------

function defineProduct({ sku, name, priceCents, now }: Extract<StockCommand, { type: 'DefineProduct' }>, view: StockView): StockFact[] {
  const existing = view.products.get(sku);
  const product: Product = existing
    ? { ...existing, name, priceCents, updatedAt: stampFor(existing, now) }
    : { sku, name, priceCents, available: 0, reserved: 0, updatedAt: now };
  return [productUpdated(product)];
}

function restock({ sku, quantity, now }: Extract<StockCommand, { type: 'Restock' }>, view: StockView): StockFact[] {
  const product = view.products.get(sku);
  if (!product) throw new DomainError(404, 'not_found', `no product ${sku}`);
  if (product.available + product.reserved + quantity > MAX_UNITS) {
    throw new DomainError(422, 'stock_limit_exceeded', `${sku} cannot hold more than ${MAX_UNITS} units`);
  }
  return [productUpdated({ ...product, available: product.available + quantity, updatedAt: stampFor(product, now) })];
}

// --- the order flow ---------------------------------------------------------------------------

/** One line per sku, quantities added up, in the order the skus first appear. */
function perSku(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.sku, (totals.get(line.sku) ?? 0) + line.quantity);
  return [...totals].map(([sku, quantity]) => ({ sku, quantity }));
}

function productOf(view: StockView, sku: string): Product {
  const product = view.products.get(sku);
  // Products are never deleted, so a reservation's products exist; if not, the data is broken.
  if (!product) throw new Error(`the reservation names sku ${sku}, which is not in the catalogue`);
  return product;
}

/** Changes every line's product by `change` and tells the new levels, in sku order. */
function moveUnits(view: StockView, items: readonly StockLine[], now: string, change: (p: Product, quantity: number) => Pick<Product, 'available' | 'reserved'>) {
  return items
    .map((line) => {
      const product = productOf(view, line.sku);
      return { ...product, ...change(product, line.quantity), updatedAt: stampFor(product, now) };
    })
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))
    .map(productUpdated);
}

/**
 * Holds every line of the order or none: when any line is short (an unknown sku has 0 available),
 * nothing changes and StockUnavailable names every short line. An order is reserved once.
 */
function reserve(command: Extract<StockCommand, { type: 'ReserveStock' }>, view: StockView): StockFact[] {
  if (view.reservation) return [];
  const { orderId, now } = command;
  const items = perSku(command.lines);
  const missing = items
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: view.products.get(line.sku)?.available ?? 0 }))
    .filter((line) => line.available < line.requested);
  if (missing.length > 0) {
    const unavailable: EventOf<'StockUnavailable'> = { type: 'StockUnavailable', data: { orderId, missing, checkedAt: now } };
    return [unavailable];
  }
  const reserved: EventOf<'StockReserved'> = { type: 'StockReserved', data: { orderId, items, reservedAt: now } };
  return [reserved, ...moveUnits(view, items, now, (p, q) => ({ available: p.available - q, reserved: p.reserved + q }))];
}

/** The order was confirmed: its held units are sold. Only a RESERVED reservation has any. */
function commit({ now }: Extract<StockCommand, { type: 'CommitStock' }>, view: StockView): StockFact[] {
  const { reservation } = view;
  if (reservation?.status !== 'RESERVED') return [];
  return [
    { type: 'ReservationCommitted', data: { orderId: reservation.orderId, committedAt: now } },
    ...moveUnits(view, reservation.items, now, (p, q) => ({ available: p.available, reserved: p.reserved - q })),
  ];
}

/**
 * The order was rejected or cancelled: its units go back on the shelf, held ones (RESERVED) or sold
 * but not yet dispatched ones (COMMITTED). Once only; an order that got nothing gives nothing back.
 */
function release({ now }: Extract<StockCommand, { type: 'ReleaseStock' }>, view: StockView): StockFact[] {
  const { reservation } = view;
  if (!reservation) return [];
  let levels: StockFact[];
  switch (reservation.status) {
    case 'RESERVED':
      levels = moveUnits(view, reservation.items, now, (p, q) => ({ available: p.available + q, reserved: p.reserved - q }));
      break;
    case 'COMMITTED':
      levels = moveUnits(view, reservation.items, now, (p, q) => ({ available: p.available + q, reserved: p.reserved }));
      break;
    case 'RELEASED':
    case 'UNAVAILABLE':
      return [];
    default: {
      const exhaustive: never = reservation.status;
      return exhaustive;
    }
  }
  const released: EventOf<'StockReleased'> = { type: 'StockReleased', data: { orderId: reservation.orderId, items: reservation.items, releasedAt: now } };
  return [released, ...levels];
}
