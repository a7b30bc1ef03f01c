/**
 * What the stock service decides: the catalogue (from its API) and the reservations of the order
 * flow (from the orders topic). Pure: time comes in; every decision says what it changes and what
 * to publish, and the adapters store and publish exactly that.
 */
import type { EventOf, StockLine } from '@webshop/events';
import { productUpdated, stampFor, type Product, type Reservation, type StockEvent } from './stock';

/** `available` and `reserved` are Postgres `int` columns. */
export const MAX_UNITS = 2 ** 31 - 1;

export class StockRuleViolation extends Error {
  constructor(
    readonly code: 'stock_limit_exceeded',
    message: string,
  ) {
    super(message);
    this.name = 'StockRuleViolation';
  }
}

/** What a decision changes and tells. `reservation` is absent when it stays as it was. */
export interface Decision {
  reservation?: Reservation;
  products: Product[];
  events: StockEvent[];
}

const nothing = (): Decision => ({ products: [], events: [] });

/** What a decision about one order looks at: its reservation and the products of its lines (by sku). */
export interface StockView {
  reservation: Reservation | null;
  products: ReadonlyMap<string, Product>;
}

// --- the catalogue ----------------------------------------------------------------------------

export interface DefineProduct {
  sku: string;
  name: string;
  priceCents: number;
  now: string;
}

/** Creates the product with no stock, or renames and reprices it, keeping its stock. */
export function defineProduct(existing: Product | null, command: DefineProduct): { product: Product; created: boolean; events: StockEvent[] } {
  const product: Product = existing
    ? { ...existing, name: command.name, priceCents: command.priceCents, updatedAt: stampFor(existing, command.now) }
    : { sku: command.sku, name: command.name, priceCents: command.priceCents, available: 0, reserved: 0, updatedAt: command.now };
  return { product, created: !existing, events: [productUpdated(product)] };
}

/** New units arrive and can be sold at once. */
export function restock(product: Product, command: { quantity: number; now: string }): { product: Product; events: StockEvent[] } {
  if (product.available + product.reserved + command.quantity > MAX_UNITS) {
    throw new StockRuleViolation('stock_limit_exceeded', `${product.sku} cannot hold more than ${MAX_UNITS} units`);
  }
  const next = { ...product, available: product.available + command.quantity, updatedAt: stampFor(product, command.now) };
  return { product: next, events: [productUpdated(next)] };
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
function moveUnits(view: StockView, items: StockLine[], now: string, change: (p: Product, quantity: number) => Pick<Product, 'available' | 'reserved'>) {
  const products = items
    .map((line) => {
      const product = productOf(view, line.sku);
      return { ...product, ...change(product, line.quantity), updatedAt: stampFor(product, now) };
    })
    .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  return { products, events: products.map(productUpdated) };
}

export interface ReserveStock {
  orderId: string;
  lines: readonly StockLine[];
  now: string;
}

/**
 * Holds every line of the order or none: when any line is short (an unknown sku has 0 available),
 * nothing changes and StockUnavailable names every short line. An order is reserved once.
 */
export function reserve(view: StockView, command: ReserveStock): Decision {
  if (view.reservation) return nothing();
  const { orderId, now } = command;
  const items = perSku(command.lines);
  const missing = items
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: view.products.get(line.sku)?.available ?? 0 }))
    .filter((line) => line.available < line.requested);
  if (missing.length > 0) {
    const unavailable: EventOf<'StockUnavailable'> = { type: 'StockUnavailable', data: { orderId, missing, checkedAt: now } };
    return { reservation: { orderId, items, status: 'UNAVAILABLE', updatedAt: now }, products: [], events: [unavailable] };
  }
  const moved = moveUnits(view, items, now, (p, q) => ({ available: p.available - q, reserved: p.reserved + q }));
  const reserved: EventOf<'StockReserved'> = { type: 'StockReserved', data: { orderId, items, reservedAt: now } };
  return { reservation: { orderId, items, status: 'RESERVED', updatedAt: now }, products: moved.products, events: [reserved, ...moved.events] };
}

/** The order was confirmed: its held units are sold. Only a RESERVED reservation has any. */
export function commit(view: StockView, command: { now: string }): Decision {
  const { reservation } = view;
  if (reservation?.status !== 'RESERVED') return nothing();
  const moved = moveUnits(view, reservation.items, command.now, (p, q) => ({ available: p.available, reserved: p.reserved - q }));
  return { reservation: { ...reservation, status: 'COMMITTED', updatedAt: command.now }, ...moved };
}

/**
 * The order was rejected or cancelled: its units go back on the shelf, held ones (RESERVED) or sold
 * but not yet dispatched ones (COMMITTED). Once only; an order that got nothing gives nothing back.
 */
export function release(view: StockView, command: { now: string }): Decision {
  const { reservation } = view;
  if (!reservation) return nothing();
  const { now } = command;
  let moved: { products: Product[]; events: StockEvent[] };
  switch (reservation.status) {
    case 'RESERVED':
      moved = moveUnits(view, reservation.items, now, (p, q) => ({ available: p.available + q, reserved: p.reserved - q }));
      break;
    case 'COMMITTED':
      moved = moveUnits(view, reservation.items, now, (p, q) => ({ available: p.available + q, reserved: p.reserved }));
      break;
    case 'RELEASED':
    case 'UNAVAILABLE':
      return nothing();
    default: {
      const exhaustive: never = reservation.status;
      return exhaustive;
    }
  }
  const released: EventOf<'StockReleased'> = { type: 'StockReleased', data: { orderId: reservation.orderId, items: reservation.items, releasedAt: now } };
  return { reservation: { ...reservation, status: 'RELEASED', updatedAt: now }, products: moved.products, events: [released, ...moved.events] };
}
