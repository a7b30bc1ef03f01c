/**
 * The orders HTTP API (docs/architecture.md, "HTTP API"): validate → command → one transaction → respond.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { appendToOutbox } from '@webshop/kafka';
import { withTransaction, type Pool } from '@webshop/postgres';
import { HttpError, parseBody, pathParam } from '@webshop/service-kit';
import { cancelOrder, OrderRuleViolation, placeOrder } from '../../domain/decide';
import { evolve, finalStatuses, type Order } from '../../domain/order';
import type { OrderChanges } from '../pg/order-changes';
import {
  claimIdempotencyKey,
  findIdempotencyKey,
  listOrders,
  loadOrder,
  lockOrder,
  pricesOf,
  saveOrder,
  timelineAfter,
  timelineHas,
  timelineOf,
  type TimelineEntry,
} from '../pg/order-store';
import { getOrderQuery, idempotencyKey, listOrdersQuery, MAX_REASON_LENGTH, placeOrderBody, uuid } from './schemas';

/** The order as the API shows it. */
export const orderView = (order: Order) => ({
  orderId: order.orderId,
  customerId: order.customerId,
  email: order.email,
  items: order.items,
  totalCents: order.totalCents,
  status: order.status,
  ...(order.rejectionReason ? { rejectionReason: order.rejectionReason } : {}),
  ...(order.cancellation ? { cancellationRequestedAt: order.cancellation.requestedAt } : {}),
  shippingAddress: order.shippingAddress,
  createdAt: order.createdAt,
  updatedAt: order.updatedAt,
});

/** The event that makes each final status, which the stream waits for before it ends. */
const finalEvent: Partial<Record<Order['status'], string>> = { REJECTED: 'OrderRejected', CANCELLED: 'OrderCancelled', DELIVERED: 'ShipmentDelivered' };

const timelineView = ({ position: _position, ...entry }: TimelineEntry) => entry;

function ruleToHttp(error: unknown): never {
  if (error instanceof OrderRuleViolation) {
    const status = error.code === 'unknown_sku' ? 422 : 409;
    throw new HttpError(status, error.code, error.message, error.details.length ? error.details : undefined);
  }
  throw error;
}

/** The first `max` UTF-16 units of `text`, never half a surrogate pair (jsonb refuses a lone one). */
function cut(text: string, max: number): string {
  const head = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
}

/** A stable hash of the request, so "the same body" does not depend on key order or spacing. */
function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

const isoTimestamp = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const encodeCursor = (order: Order) => Buffer.from(JSON.stringify([order.createdAt, order.orderId])).toString('base64url');
function decodeCursor(cursor: string): { createdAt: string; orderId: string } {
  try {
    const [createdAt, orderId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // Only a timestamp as encodeCursor writes it: Date.parse takes strings (and years) Postgres refuses.
    if (typeof createdAt !== 'string' || !isoTimestamp.test(createdAt) || new Date(createdAt).toISOString() !== createdAt) throw new Error('bad cursor');
    if (typeof orderId !== 'string' || !uuid.safeParse(orderId).success) throw new Error('bad cursor');
    return { createdAt, orderId };
  } catch {
    throw new HttpError(400, 'validation_failed', 'the cursor is not one this API gave out', [{ path: 'cursor', message: 'invalid cursor' }]);
  }
}

export interface OrdersRouterOptions {
  pool: Pool;
  changes: OrderChanges;
  clock?: () => Date;
  /** How long `POST /orders/:id/cancel` waits for shipping's answer about a confirmed order. */
  cancelWaitMs?: number;
  /** Aborted when the service begins to stop: long polls answer at once, streams end with `event: reconnect`. */
  stopping?: AbortSignal;
}

export function ordersRouter({ pool, changes, clock = () => new Date(), cancelWaitMs = 10_000, stopping = new AbortController().signal }: OrdersRouterOptions): Router {
  const router = Router();

  /** Aborted when the client goes away or the service begins to stop: whoever waits answers now. */
  const untilGoneOrStopping = (res: Response): AbortSignal => {
    const gone = new AbortController();
    res.on('close', () => gone.abort()); // the client left, or the answer went out
    return AbortSignal.any([gone.signal, stopping]);
  };

  /** The order the path names; 400 when the id cannot be stored, 404 when it is not an order's. */
  async function existingOrder(req: Request): Promise<Order> {
    const orderIdParam = pathParam(req, 'orderId');
    const order = uuid.safeParse(orderIdParam).success ? await loadOrder(pool, orderIdParam) : null;
    if (!order) throw new HttpError(404, 'not_found', `no order ${orderIdParam}`);
    return order;
  }

  /**
   * The order once `done` holds for it, or as it stands when `timeoutMs` ran out or `signal` fired.
   * Woken by committed changes (LISTEN/NOTIFY), never by polling. The waiter is registered before
   * each read, so a change between the read and the wait is not missed.
   */
  async function awaitOrder(order: Order, done: (order: Order) => boolean, timeoutMs: number, signal: AbortSignal): Promise<Order> {
    const deadline = Date.now() + timeoutMs;
    while (!done(order) && Date.now() < deadline && !signal.aborted) {
      const changed = changes.next(order.orderId, signal);
      order = (await loadOrder(pool, order.orderId))!;
      if (done(order)) break;
      let timer: NodeJS.Timeout | undefined;
      const woken = await Promise.race([changed.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadline - Date.now())))]);
      clearTimeout(timer);
      if (!woken) break; // nothing changed since the last read: it is current
    }
    return order;
  }

  const accepted = (res: Response, order: Order) => {
    res
      .status(202)
      .location(`/orders/${order.orderId}`)
      .json({ orderId: order.orderId, status: order.status, totalCents: order.totalCents, items: order.items });
  };

  router.post('/orders', async (req, res) => {
    const body = parseBody(placeOrderBody, req.body);
    const keyHeader = req.get('Idempotency-Key');
    const key = keyHeader === undefined ? undefined : parseBody(idempotencyKey, keyHeader, 'Idempotency-Key header');
    const hash = requestHash(body);
    const orderId = randomUUID();

    const order = await withTransaction(pool, async (tx) => {
      if (key && !(await claimIdempotencyKey(tx, key, hash, orderId))) {
        const first = (await findIdempotencyKey(tx, key))!;
        if (first.requestHash !== hash) {
          throw new HttpError(409, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
        }
        return (await loadOrder(tx, first.orderId))!;
      }
      const prices = await pricesOf(tx, body.items.map((i) => i.sku));
      let requested;
      try {
        requested = placeOrder({ orderId, customerId: body.customerId, email: body.email, lines: body.items, shippingAddress: body.shippingAddress, now: clock().toISOString() }, prices);
      } catch (error) {
        ruleToHttp(error);
      }
      await appendToOutbox(tx, 'orders', [requested]);
      const placed = evolve(null, requested)!;
      await saveOrder(tx, placed);
      return placed;
    });
    accepted(res, order);
  });

  router.get('/orders', async (req, res) => {
    const query = parseBody(listOrdersQuery, req.query, 'query');
    const orders = await listOrders(pool, {
      customerId: query.customerId,
      status: query.status,
      limit: query.limit,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const last = orders[orders.length - 1];
    res.json({ items: orders.map(orderView), nextCursor: orders.length === query.limit && last ? encodeCursor(last) : null });
  });

  router.get('/orders/:orderId', async (req, res) => {
    const query = parseBody(getOrderQuery, req.query, 'query');
    let order = await existingOrder(req);
    if (query.until) {
      const wanted = query.until;
      order = await awaitOrder(order, (o) => wanted.includes(o.status), query.timeoutMs, untilGoneOrStopping(res));
      if (!wanted.includes(order.status)) res.set('X-Wait-Timed-Out', 'true');
    }
    res.json(orderView(order));
  });

  router.get('/orders/:orderId/timeline', async (req, res) => {
    const order = await existingOrder(req);
    res.json((await timelineOf(pool, order.orderId)).map(timelineView));
  });

  router.get('/orders/:orderId/updates', async (req: Request, res: Response) => {
    const order = await existingOrder(req);
    const lastEventId = Number(req.get('Last-Event-ID') ?? req.query['lastEventId'] ?? 0);
    let after = Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0;
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.flushHeaders();
    const signal = untilGoneOrStopping(res);
    while (!signal.aborted) {
      const changed = changes.next(order.orderId, signal);
      const current = (await loadOrder(pool, order.orderId))!;
      // The id is the entry's position, in commit order: a resume after id N (Last-Event-ID, on any
      // instance) sends exactly the entries committed after entry N, none twice, none missing.
      for (const entry of await timelineAfter(pool, order.orderId, after)) {
        res.write(`id: ${entry.position}\nevent: ${entry.type}\ndata: ${JSON.stringify(timelineView(entry))}\n\n`);
        after = entry.position;
      }
      // The view turns final as soon as this service decides; the stream ends once the event that
      // made it final is in the timeline too (it comes back from Kafka a moment later).
      if (finalStatuses.includes(current.status) && (await timelineHas(pool, order.orderId, finalEvent[current.status]!, after))) {
        res.write(`event: end\ndata: ${JSON.stringify({ status: current.status })}\n\n`);
        break;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([changed, new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
      clearTimeout(timer);
      if (!signal.aborted) res.write(': keep-alive\n\n');
    }
    // The service is stopping: tell the client to come back (EventSource does, after `retry` ms, with
    // Last-Event-ID), to this instance once it is up again or to another one.
    if (stopping.aborted) res.write(`retry: 1000\nevent: reconnect\ndata: ${JSON.stringify({ reason: 'the service is stopping', lastEventId: after })}\n\n`);
    res.end();
  });

  router.post('/orders/:orderId/cancel', async (req, res) => {
    const { orderId } = await existingOrder(req);
    const reason = typeof req.body?.reason === 'string' && req.body.reason.trim() ? cut(String(req.body.reason), MAX_REASON_LENGTH) : 'cancelled by the customer';
    const order = await withTransaction(pool, async (tx) => {
      await lockOrder(tx, orderId);
      const current = (await loadOrder(tx, orderId))!;
      let decided;
      try {
        decided = cancelOrder(current, { reason, now: clock().toISOString() });
      } catch (error) {
        ruleToHttp(error);
      }
      if (decided.length === 0) return current; // asked already; shipping's answer is on its way
      await appendToOutbox(tx, 'orders', decided);
      const next = decided.reduce<Order | null>((order, event) => evolve(order, event), current)!;
      await saveOrder(tx, next);
      return next;
    });
    // A confirmed order: only shipping knows whether its parcel has left. Wait for the answer (a
    // round trip through Kafka, usually well under a second): CANCELLED, or 409 when the dispatch
    // came first. Without an answer in time: 202 with the order still CONFIRMED and
    // `cancellationRequestedAt`; the outcome follows (GET with ?until=CANCELLED,SHIPPED).
    let answered = order;
    if (order.status === 'CONFIRMED' && order.cancellation) {
      answered = await awaitOrder(order, (o) => o.status !== 'CONFIRMED', cancelWaitMs, untilGoneOrStopping(res));
    }
    if (answered.status === 'SHIPPED' || answered.status === 'DELIVERED') {
      throw new HttpError(409, 'not_cancellable', `the parcel of order ${orderId} left before the cancellation reached shipping`);
    }
    res.status(202).json(orderView(answered));
  });

  return router;
}
