/**
 * Everything the checks look at, read once after quiesce: the order views and the emails through
 * the HTTP API, every service's tables straight from its private database, the topics (lag, dead
 * letters) and the mail catcher. The checks are pure functions of a snapshot and the ledger, so
 * the control step can plant corruptions, take a new snapshot and run the very same checks.
 */
import pg from 'pg';
import type { CaughtMail } from '@webshop/testing';
import type { OrderView } from './ledger';
import type { ServiceName } from './schedule';
import { serviceNames } from './schedule';
import type { Shop } from './supervisor';
import { chaosKafka, consumerLag, deadLetters, type DeadLetter } from './kafka-state';

export interface TimelineRow {
  orderId: string;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
}

export interface Snapshot {
  views: Map<string, OrderView | undefined>;
  apiEmails: Map<string, Array<{ emailId: string; template: string }>>;
  /** Orders of customers whose every request must have been refused. */
  refusedCustomersOrders: Map<string, number>;
  orders: Array<{ orderId: string; customerId: string; status: string; rejectionReason: string | null; totalCents: number }>;
  timeline: TimelineRow[];
  accounts: Map<string, number>;
  deposits: Map<string, number>;
  payments: Map<string, { customerId: string; amountCents: number; status: string }>;
  products: Map<string, { available: number; reserved: number }>;
  reservations: Map<string, { status: string; items: Array<{ sku: string; quantity: number }> }>;
  shipments: Map<string, string>;
  emails: Array<{ emailId: string; orderId: string; template: string; status: string }>;
  idempotencyKeys: Map<string, string>;
  unpublished: Record<ServiceName, number>;
  /** Every outbox row's times (epoch ms): when it was written and when the relay published it. */
  outboxAges: Record<ServiceName, Array<{ createdAt: number; publishedAt: number | null }>>;
  inboxDuplicates: Record<ServiceName, number>;
  lag: Record<string, number>;
  deadLetters: DeadLetter[];
  mail: CaughtMail[];
}

/** GET through the balancer, again (up to ~20 s) while there is no answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are JSON of many shapes: each caller reads the fields it knows
export async function apiGet<T = any>(shop: Shop, service: ServiceName, path: string): Promise<{ status: number; body: T }> {
  let last = { status: 0, body: undefined as T };
  for (let n = 0; n < 20; n++) {
    try {
      const res = await fetch(`${shop.pick(service).url}${path}`, { signal: AbortSignal.timeout(5_000) });
      last = { status: res.status, body: (await res.json().catch(() => undefined)) as T };
      if (res.status < 500) return last;
    } catch {
      // no answer: try another instance
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return last;
}

async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function withDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // a dropped connection fails the query in hand, which says so
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function takeSnapshot(shop: Shop, accepted: readonly string[], refusedCustomers: readonly string[]): Promise<Snapshot> {
  const views = new Map<string, OrderView | undefined>();
  const apiEmails = new Map<string, Array<{ emailId: string; template: string }>>();
  await inParallel(accepted, 6, async (orderId) => {
    const view = await apiGet<OrderView>(shop, 'orders', `/orders/${orderId}`);
    views.set(orderId, view.status === 200 ? view.body : undefined);
    const emails = await apiGet<Array<{ emailId: string; template: string }>>(shop, 'email', `/emails?orderId=${orderId}`);
    apiEmails.set(orderId, emails.status === 200 ? emails.body : []);
  });
  const refusedCustomersOrders = new Map<string, number>();
  await inParallel(refusedCustomers, 4, async (customerId) => {
    const list = await apiGet<{ items: unknown[] }>(shop, 'orders', `/orders?customerId=${encodeURIComponent(customerId)}`);
    refusedCustomersOrders.set(customerId, list.body?.items?.length ?? -1);
  });

  const db = shop.databaseUrl;
  const unpublished = {} as Record<ServiceName, number>;
  const outboxAges = {} as Snapshot['outboxAges'];
  const inboxDuplicates = {} as Record<ServiceName, number>;
  for (const s of serviceNames) {
    await withDatabase(db[s], async (c) => {
      unpublished[s] = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0]!.n;
      outboxAges[s] = (
        await c.query<{ created: number; published: number | null }>(
          'SELECT (extract(epoch FROM created_at) * 1000)::float8 AS created, (extract(epoch FROM published_at) * 1000)::float8 AS published FROM outbox',
        )
      ).rows.map((r) => ({ createdAt: r.created, publishedAt: r.published }));
      inboxDuplicates[s] = (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM (SELECT 1 FROM inbox GROUP BY consumer, event_id HAVING count(*) > 1) d')).rows[0]!.n;
    });
  }
  const orders = await withDatabase(db.orders, async (c) => ({
    orders: (await c.query('SELECT order_id, customer_id, status, rejection_reason, total_cents FROM orders')).rows.map((r) => ({
      orderId: r.order_id,
      customerId: r.customer_id,
      status: r.status,
      rejectionReason: r.rejection_reason,
      totalCents: Number(r.total_cents),
    })),
    timeline: (await c.query('SELECT order_id, event_id, type, data FROM timeline ORDER BY order_id, position')).rows.map((r) => ({ orderId: r.order_id, eventId: r.event_id, type: r.type, data: r.data })),
    keys: new Map((await c.query('SELECT key, order_id FROM idempotency_keys')).rows.map((r) => [r.key as string, r.order_id as string])),
  }));
  const payment = await withDatabase(db.payment, async (c) => ({
    accounts: new Map((await c.query('SELECT customer_id, balance_cents FROM accounts')).rows.map((r) => [r.customer_id as string, Number(r.balance_cents)])),
    deposits: new Map((await c.query('SELECT customer_id, sum(amount_cents) AS s FROM deposits GROUP BY customer_id')).rows.map((r) => [r.customer_id as string, Number(r.s)])),
    payments: new Map(
      (await c.query('SELECT order_id, customer_id, amount_cents, status FROM payments')).rows.map((r) => [r.order_id as string, { customerId: r.customer_id, amountCents: Number(r.amount_cents), status: r.status }]),
    ),
  }));
  const stock = await withDatabase(db.stock, async (c) => ({
    products: new Map((await c.query('SELECT sku, available, reserved FROM products')).rows.map((r) => [r.sku as string, { available: Number(r.available), reserved: Number(r.reserved) }])),
    reservations: new Map((await c.query('SELECT order_id, status, items FROM reservations')).rows.map((r) => [r.order_id as string, { status: r.status, items: r.items }])),
  }));
  const shipments = await withDatabase(db.shipping, async (c) => new Map((await c.query('SELECT order_id, status FROM shipments')).rows.map((r) => [r.order_id as string, r.status as string])));
  const emails = await withDatabase(db.email, async (c) =>
    (await c.query('SELECT email_id, order_id, template, status FROM emails')).rows.map((r) => ({ emailId: r.email_id, orderId: r.order_id, template: r.template, status: r.status })),
  );

  const kafka = chaosKafka(shop.broker);
  return {
    views,
    apiEmails,
    refusedCustomersOrders,
    orders: orders.orders,
    timeline: orders.timeline,
    idempotencyKeys: orders.keys,
    ...payment,
    ...stock,
    shipments,
    emails,
    unpublished,
    outboxAges,
    inboxDuplicates,
    lag: await consumerLag(kafka),
    deadLetters: await deadLetters(kafka),
    mail: [...shop.mail.messages],
  };
}
