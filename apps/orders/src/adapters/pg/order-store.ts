/** SQL for the order view, the timeline and the catalogue copy. Nothing here decides anything. */
import type { EventData } from '@webshop/events';
import type { AnyIncomingEvent } from '@webshop/kafka';
import type { Pool, PoolClient } from '@webshop/postgres';
import type { Order, OrderStatus } from '../../domain/order';

type Queryable = Pool | PoolClient;

/** Committing a change to an order wakes every instance's waiters (blocking reads, SSE). */
export const ORDER_CHANGED_CHANNEL = 'order_changed';

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

export async function loadOrder(db: Queryable, orderId: string, forUpdate = false): Promise<Order | null> {
  const { rows } = await db.query<OrderRow>(`SELECT * FROM orders WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [orderId]);
  return rows[0] ? toOrder(rows[0]) : null;
}

export async function saveOrder(tx: PoolClient, order: Order): Promise<void> {
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
  await tx.query('SELECT pg_notify($1, $2)', [ORDER_CHANGED_CHANNEL, order.orderId]);
}

/**
 * Appends the event to its order's timeline, at the next position. Call under `lockOrder`: the lock,
 * held until commit, makes positions follow commit order (the unique index refuses a clash).
 */
export async function appendToTimeline(tx: PoolClient, orderId: string, event: AnyIncomingEvent): Promise<void> {
  await tx.query(
    `INSERT INTO timeline (order_id, event_id, type, topic, partition, "offset", occurred_at, producer, data, position)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce(max(position), 0) + 1 FROM timeline WHERE order_id = $1
     ON CONFLICT (event_id) DO NOTHING`,
    [orderId, event.eventId, event.type, event.topic, event.partition, event.offset, event.occurredAt, event.producer, JSON.stringify(event.data)],
  );
  await tx.query('SELECT pg_notify($1, $2)', [ORDER_CHANGED_CHANNEL, orderId]);
}

/** Serialises every change to one order, across topics and instances, for this transaction. */
export async function lockOrder(tx: PoolClient, orderId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [orderId]);
}

export interface TimelineEntry {
  /** Its place in the order's timeline, in commit order: 1, 2, 3 … */
  position: number;
  eventId: string;
  type: string;
  topic: string;
  partition: number;
  offset: number;
  occurredAt: string;
  producer: string;
  data: unknown;
}

/** The order's timeline in the order things happened (occurred-at), as the API shows it. */
export async function timelineOf(db: Queryable, orderId: string): Promise<TimelineEntry[]> {
  return toEntries(
    await db.query(`SELECT ${timelineColumns} FROM timeline WHERE order_id = $1 ORDER BY occurred_at, position`, [orderId]),
  );
}

/** The entries committed after position `after`, in commit order: what a live stream sends next. */
export async function timelineAfter(db: Queryable, orderId: string, after: number): Promise<TimelineEntry[]> {
  return toEntries(
    await db.query(`SELECT ${timelineColumns} FROM timeline WHERE order_id = $1 AND position > $2 ORDER BY position`, [orderId, after]),
  );
}

const timelineColumns = 'position, event_id, type, topic, partition, "offset", occurred_at, producer, data';

function toEntries({ rows }: { rows: Array<Record<string, unknown>> }): TimelineEntry[] {
  return rows.map((r) => ({
    position: r['position'] as number,
    eventId: r['event_id'] as string,
    type: r['type'] as string,
    topic: r['topic'] as string,
    partition: r['partition'] as number,
    offset: r['offset'] as number,
    occurredAt: (r['occurred_at'] as Date).toISOString(),
    producer: r['producer'] as string,
    data: r['data'],
  }));
}

/** Whether the timeline holds an event of `type` at or before position `upTo`. */
export async function timelineHas(db: Queryable, orderId: string, type: string, upTo: number): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM timeline WHERE order_id = $1 AND type = $2 AND position <= $3 LIMIT 1', [orderId, type, upTo]);
  return rowCount === 1;
}

export async function upsertCatalogue(tx: PoolClient, product: EventData<'ProductUpdated'>): Promise<void> {
  // Last writer wins by the product's own clock, so a replay or a late duplicate cannot roll it back.
  await tx.query(
    `INSERT INTO catalogue (sku, name, price_cents, available, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (sku) DO UPDATE SET name = $2, price_cents = $3, available = $4, updated_at = $5
     WHERE catalogue.updated_at <= $5`,
    [product.sku, product.name, product.priceCents, product.available, product.updatedAt],
  );
}

export async function pricesOf(db: Queryable, skus: string[]): Promise<Map<string, { priceCents: number }>> {
  const { rows } = await db.query<{ sku: string; price_cents: number }>('SELECT sku, price_cents FROM catalogue WHERE sku = ANY($1)', [skus]);
  return new Map(rows.map((r) => [r.sku, { priceCents: r.price_cents }]));
}

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

export async function findIdempotencyKey(tx: PoolClient, key: string): Promise<{ requestHash: string; orderId: string } | null> {
  const { rows } = await tx.query<{ request_hash: string; order_id: string }>(
    'SELECT request_hash, order_id FROM idempotency_keys WHERE key = $1',
    [key],
  );
  return rows[0] ? { requestHash: rows[0].request_hash, orderId: rows[0].order_id } : null;
}

/** Claims the key for this request; false when another request holds it already. */
export async function claimIdempotencyKey(tx: PoolClient, key: string, requestHash: string, orderId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    'INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
    [key, requestHash, orderId],
  );
  return rowCount === 1;
}
