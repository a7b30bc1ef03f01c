/**
 * The orders HTTP API (docs/architecture.md, "HTTP API"): validate → command → decide and record in
 * one transaction → respond. Refusals are the domain's (DomainError), answered by the shared error
 * handler; the waiting (long poll, live stream, cancel-then-wait) is order-waits.ts'.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { withTransaction, type Pool, type PoolClient } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, parseBody, pathParam } from '@webshop/service-kit';
import { cancellationOutcome, orderDecider, type OrderCommand } from '../../domain/decide';
import type { Order } from '../../domain/order';
import { pricesOf } from '../pg/catalogue-store';
import type { OrderChanges } from '../pg/order-changes';
import { listOrders, loadOrder, orderStore } from '../pg/order-store';
import { timelineOf } from '../pg/timeline-store';
import { decodeCursor, encodeCursor } from './cursor';
import { orderOfEarlierRequest } from './idempotency';
import { orderWaits } from './order-waits';
import { cancelOrderBody, getOrderQuery, idempotencyKey, listOrdersQuery, placeOrderBody, uuid } from './schemas';
import { orderView, timelineView } from './views';

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
  const waits = orderWaits({ pool, changes, cancelWaitMs, stopping });

  /** Decides a command on the order in the caller's transaction; the time is read once the order is locked. */
  const decideOn = async (tx: PoolClient, orderId: string, command: (now: string) => OrderCommand): Promise<Order> =>
    (await decideAndRecord(tx, 'orders', orderDecider, orderStore(orderId), () => command(clock().toISOString()))).after!;

  /** The order the path names; 400 when the id cannot be stored, 404 when it is not an order's. */
  async function existingOrder(req: Request): Promise<Order> {
    const orderIdParam = pathParam(req, 'orderId');
    const order = uuid.safeParse(orderIdParam).success ? await loadOrder(pool, orderIdParam) : null;
    if (!order) throw new HttpError(404, 'not_found', `no order ${orderIdParam}`);
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
    const orderId = randomUUID();

    const order = await withTransaction(pool, async (tx) => {
      const earlier = key ? await orderOfEarlierRequest(tx, key, body, orderId) : null;
      if (earlier) return (await loadOrder(tx, earlier))!;
      const prices = await pricesOf(tx, body.items.map((i) => i.sku));
      const { customerId, email, items: lines, shippingAddress } = body;
      return decideOn(tx, orderId, (now) => ({ type: 'PlaceOrder', orderId, customerId, email, lines, shippingAddress, prices, now }));
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
      order = await waits.untilStatus(order, query.until, query.timeoutMs, res);
      if (!query.until.includes(order.status)) res.set('X-Wait-Timed-Out', 'true');
    }
    res.json(orderView(order));
  });

  router.get('/orders/:orderId/timeline', async (req, res) => {
    const order = await existingOrder(req);
    res.json((await timelineOf(pool, order.orderId)).map(timelineView));
  });

  router.get('/orders/:orderId/updates', async (req, res) => {
    const order = await existingOrder(req);
    const lastEventId = Number(req.get('Last-Event-ID') ?? req.query['lastEventId'] ?? 0);
    await waits.streamUpdates(order.orderId, Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0, res);
  });

  router.post('/orders/:orderId/cancel', async (req, res) => {
    const { orderId } = await existingOrder(req);
    const { reason } = parseBody(cancelOrderBody, req.body);
    const order = await withTransaction(pool, (tx) => decideOn(tx, orderId, (now) => ({ type: 'CancelOrder', orderId, reason, now })));
    res.status(202).json(orderView(cancellationOutcome(await waits.cancellationAnswer(order, res))));
  });

  return router;
}
