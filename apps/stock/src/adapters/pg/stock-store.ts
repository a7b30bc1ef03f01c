/**
 * SQL for products and reservations, and the views the decider decides on (what each command locks
 * and loads, and how the view after it is stored). Nothing here decides anything.
 */
import type { Pool, PoolClient } from '@webshop/postgres';
import type { DecisionStore } from '@webshop/runtime';
import type { Product, Reservation, ReservationStatus, StockFact, StockView } from '../../domain/stock';

type Queryable = Pool | PoolClient;

interface ProductRow {
  sku: string;
  name: string;
  price_cents: number;
  available: number;
  reserved: number;
  updated_at: Date;
}

const toProduct = (row: ProductRow): Product => ({
  sku: row.sku,
  name: row.name,
  priceCents: row.price_cents,
  available: row.available,
  reserved: row.reserved,
  updatedAt: row.updated_at.toISOString(),
});

export async function loadProduct(db: Queryable, sku: string, forUpdate = false): Promise<Product | null> {
  const { rows } = await db.query<ProductRow>(`SELECT * FROM products WHERE sku = $1${forUpdate ? ' FOR UPDATE' : ''}`, [sku]);
  return rows[0] ? toProduct(rows[0]) : null;
}

/**
 * The products of `skus` that exist, locked until commit. The rows are locked in sku order (the lock
 * is taken as each sorted row is returned), so two orders sharing skus always queue for them in the
 * same order and cannot deadlock each other.
 */
export async function lockProducts(tx: PoolClient, skus: readonly string[]): Promise<Map<string, Product>> {
  const { rows } = await tx.query<ProductRow>('SELECT * FROM products WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE', [[...new Set(skus)]]);
  return new Map(rows.map((row) => [row.sku, toProduct(row)]));
}

/** Serialises the definition of one sku, also while it does not exist yet (no row to lock). */
export async function lockSku(tx: PoolClient, sku: string): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('product:' || $1))", [sku]);
}

export async function listProducts(db: Queryable): Promise<Product[]> {
  const { rows } = await db.query<ProductRow>('SELECT * FROM products ORDER BY sku');
  return rows.map(toProduct);
}

export async function saveProducts(tx: PoolClient, products: readonly Product[]): Promise<void> {
  for (const p of products) {
    await tx.query(
      `INSERT INTO products (sku, name, price_cents, available, reserved, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sku) DO UPDATE SET name = $2, price_cents = $3, available = $4, reserved = $5, updated_at = $6`,
      [p.sku, p.name, p.priceCents, p.available, p.reserved, p.updatedAt],
    );
  }
}

export async function loadReservation(db: Queryable, orderId: string, forUpdate = false): Promise<Reservation | null> {
  const { rows } = await db.query<{ order_id: string; items: Reservation['items']; status: ReservationStatus; updated_at: Date }>(
    `SELECT order_id, items, status, updated_at FROM reservations WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderId],
  );
  const row = rows[0];
  return row ? { orderId: row.order_id, items: row.items, status: row.status, updatedAt: row.updated_at.toISOString() } : null;
}

export async function saveReservation(tx: PoolClient, reservation: Reservation): Promise<void> {
  await tx.query(
    `INSERT INTO reservations (order_id, items, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (order_id) DO UPDATE SET status = $3, updated_at = $4`,
    [reservation.orderId, JSON.stringify(reservation.items), reservation.status, reservation.updatedAt],
  );
}

type ViewStore = DecisionStore<StockView, StockFact>;

/** Stores what changed: the reservation, and every product the events gave a new level. */
const saveView: ViewStore['save'] = async (tx, after, { before }) => {
  if (after.reservation && after.reservation !== before.reservation) await saveReservation(tx, after.reservation);
  await saveProducts(tx, [...after.products.values()].filter((p) => p !== before.products.get(p.sku)));
};

/** One product, locked; its definition is serialised also while it does not exist yet. */
export const productView = (sku: string): ViewStore => ({
  async load(tx) {
    await lockSku(tx, sku);
    const product = await loadProduct(tx, sku, true);
    return { reservation: null, products: new Map(product ? [[sku, product]] : []) };
  },
  save: saveView,
});

/**
 * An order's reservation, locked, then the products it needs (`skusOf` the reservation: the
 * purchase's lines, or what the reservation holds), locked in sku order: every path takes product
 * locks in that order, so two orders sharing skus cannot deadlock.
 */
export const orderView = (orderId: string, skusOf: (reservation: Reservation | null) => readonly string[]): ViewStore => ({
  async load(tx) {
    const reservation = await loadReservation(tx, orderId, true);
    return { reservation, products: await lockProducts(tx, skusOf(reservation)) };
  },
  save: saveView,
});
