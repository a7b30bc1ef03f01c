/**
 * SQL for the order view (table `orders`), and the store the runtime decides on an order through.
 * Nothing here decides anything.
 */
import type { Pool, PoolClient } from '@webshop/postgres';
import type { DecisionStore } from '@webshop/runtime';
import type { Order, OrderEvent, OrderStatus } from '../../domain/order';

export type Queryable = Pool | PoolClient;

/** Committing a change to an order wakes every instance's waiters (blocking reads, SSE). */
export const ORDER_CHANGED_CHANNEL = 'order_changed';

/** Tells every instance's waiters, once the transaction commits, that the order changed. */
export async function notifyOrderChanged(tx: PoolClient, orderId: string): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [ORDER_CHANGED_CHANNEL, orderId]);
}

interface OrderRow {
  order_id: string;
  customer_id: string;
  email: string;
  items: Order['items'];
  total_cents: number;
  shipping_address: Order['shippingAddress'];
  status: OrderStatus;
  rejection_reason: Order['rejectionReason'];
  payment: Order['payment'];
  stock: Order['stock'];
  cancellation: Order['cancellation'];
  shipment_cancelled: boolean;
  created_at: Date;
  updated_at: Date;
}

const toOrder = (row: OrderRow): Order => ({
  orderId: row.order_id,
  customerId: row.customer_id,
  email: row.email,
  items: row.items,
  totalCents: row.total_cents,
  shippingAddress: row.shipping_address,
  status: row.status,
  rejectionReason: row.rejection_reason,
  payment: row.payment,
  stock: row.stock,
  cancellation: row.cancellation,
  shipmentCancelled: row.shipment_cancelled,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export async function loadOrder(db: Queryable, orderId: string): Promise<Order | null> {
  const { rows } = await db.query<OrderRow>('SELECT * FROM orders WHERE order_id = $1', [orderId]);
  return rows[0] ? toOrder(rows[0]) : null;
}

async function saveOrder(tx: PoolClient, order: Order): Promise<void> {
  await tx.query(
    `INSERT INTO orders (order_id, customer_id, email, items, total_cents, shipping_address, status, rejection_reason, payment, stock, created_at, updated_at, cancellation, shipment_cancelled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (order_id) DO UPDATE SET status = $7, rejection_reason = $8, payment = $9, stock = $10, updated_at = $12, cancellation = $13, shipment_cancelled = $14`,
    [
      order.orderId,
      order.customerId,
      order.email,
      JSON.stringify(order.items),
      order.totalCents,
      JSON.stringify(order.shippingAddress),
      order.status,
      order.rejectionReason,
      JSON.stringify(order.payment),
      JSON.stringify(order.stock),
      order.createdAt,
      order.updatedAt,
      order.cancellation && JSON.stringify(order.cancellation),
      order.shipmentCancelled,
    ],
  );
  await notifyOrderChanged(tx, order.orderId);
}

/**
 * Serialises every change to one order, across topics and instances, for this transaction: the
 * timeline's positions, the view's fold, the saga's and the API's decisions. Taken again by the
 * same transaction it is already held (advisory locks stack).
 */
export async function lockOrder(tx: PoolClient, orderId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [orderId]);
}

/** The order a decision is made on (placing, cancelling, the saga): locked, then read; saved after it. */
export const orderStore = (orderId: string): DecisionStore<Order | null, OrderEvent> => ({
  async load(tx) {
    await lockOrder(tx, orderId);
    return loadOrder(tx, orderId);
  },
  async save(tx, after) {
    if (after) await saveOrder(tx, after);
  },
});

export interface ListQuery {
  customerId?: string;
  status?: OrderStatus;
  limit: number;
  after?: { createdAt: string; orderId: string };
}

/** Newest first, keyset-paged on (created_at, order_id). */
export async function listOrders(db: Queryable, query: ListQuery): Promise<Order[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.customerId) where.push(`customer_id = $${params.push(query.customerId)}`);
  if (query.status) where.push(`status = $${params.push(query.status)}`);
  if (query.after) {
    where.push(`(created_at, order_id) < ($${params.push(query.after.createdAt)}::timestamptz, $${params.push(query.after.orderId)}::uuid)`);
  }
  const { rows } = await db.query<OrderRow>(
    `SELECT * FROM orders ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, order_id DESC LIMIT $${params.push(query.limit)}`,
    params,
  );
  return rows.map(toOrder);
}
