/**
 * The orders HTTP API (docs/architecture.md, "HTTP API"): validate → command → decide and record in
 * one transaction → respond. Refusals are the domain's (DomainError), answered by the shared error
 * handler; the waiting (long poll, live stream, cancel-then-wait) is order-waits.ts'.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { withTransaction, type Pool, type PoolClient } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { HttpError, parseBody, pathParam, route, type Route } from '@webshop/service-kit';
import { cancellationOutcome, orderDecider, type OrderCommand } from '../../domain/decide';
import type { Order } from '../../domain/order';
import { pricesOf } from '../pg/catalogue-store';
import type { OrderChanges } from '../pg/order-changes';
import { listOrders, loadOrder, orderStore } from '../pg/order-store';
import { timelineOf } from '../pg/timeline-store';
import { decodeCursor, encodeCursor } from './cursor';
import { orderOfEarlierRequest } from './idempotency';
import { orderWaits } from './order-waits';
import {
  acceptedOrderBody,
  cancelOrderBody,
  getOrderQuery,
  idempotencyKey,
  listOrdersQuery,
  orderBody,
  orderPageBody,
  placeOrderBody,
  streamQuery,
  timelineEntryBody,
  uuid,
} from './schemas';
import { orderView, timelineView } from './views';

export interface OrdersRoutesOptions {
  pool: Pool;
  changes: OrderChanges;
  clock?: () => Date;
  /** How long `POST /orders/:id/cancel` waits for shipping's answer about a confirmed order. */
  cancelWaitMs?: number;
  /** Aborted when the service begins to stop: long polls answer at once, streams end with `event: reconnect`. */
  stopping?: AbortSignal;
}

export function ordersRoutes({ pool, changes, clock = () => new Date(), cancelWaitMs = 10_000, stopping = new AbortController().signal }: OrdersRoutesOptions): Route[] {
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
    const body: z.output<typeof acceptedOrderBody> = { orderId: order.orderId, status: order.status, totalCents: order.totalCents, items: order.items };
    res.status(202).location(`/orders/${order.orderId}`).json(body);
  };

  const orderIdOnly = z.object({ orderId: uuid });

  return [
    route({
      method: 'post',
      path: '/orders',
      summary: 'Place an order: priced from the catalogue, PENDING until payment and stock answer',
      headers: z.object({ 'Idempotency-Key': idempotencyKey.optional().describe('the same key with the same body answers the first order') }),
      body: placeOrderBody,
      responses: { 202: { description: 'the order, PENDING', schema: acceptedOrderBody, headers: { Location: '/orders/<orderId>' } } },
      errors: { 409: ['idempotency_key_reused'], 422: ['unknown_sku'] },
      async handle(req, res, { body }) {
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
      },
    }),

    route({
      method: 'get',
      path: '/orders',
      summary: 'Orders, newest first, a page at a time',
      query: listOrdersQuery,
      responses: { 200: { description: 'a page of orders', schema: orderPageBody } },
      async handle(_req, res, { query }) {
        const orders = await listOrders(pool, {
          customerId: query.customerId,
          status: query.status,
          limit: query.limit,
          after: query.cursor ? decodeCursor(query.cursor) : undefined,
        });
        const last = orders[orders.length - 1];
        res.json({ items: orders.map(orderView), nextCursor: orders.length === query.limit && last ? encodeCursor(last) : null });
      },
    }),

    route({
      method: 'get',
      path: '/orders/:orderId',
      summary: 'An order; with `until`, once it has one of those statuses (or the wait is over)',
      params: orderIdOnly,
      query: getOrderQuery,
      responses: { 200: { description: 'the order', schema: orderBody, headers: { 'X-Wait-Timed-Out': '`true` when `until` was not reached in time' } } },
      errors: { 404: ['not_found'] },
      async handle(req, res, { query }) {
        let order = await existingOrder(req);
        if (query.until) {
          order = await waits.untilStatus(order, query.until, query.timeoutMs, res);
          if (!query.until.includes(order.status)) res.set('X-Wait-Timed-Out', 'true');
        }
        res.json(orderView(order));
      },
    }),

    route({
      method: 'get',
      path: '/orders/:orderId/timeline',
      summary: 'Every event about the order, from every topic, in the order they occurred',
      params: orderIdOnly,
      responses: { 200: { description: 'the timeline', schema: z.array(timelineEntryBody) } },
      errors: { 404: ['not_found'] },
      async handle(req, res) {
        const order = await existingOrder(req);
        res.json((await timelineOf(pool, order.orderId)).map(timelineView));
      },
    }),

    route({
      method: 'get',
      path: '/orders/:orderId/updates',
      summary: 'The timeline as Server-Sent Events, then live until the order is final',
      params: orderIdOnly,
      headers: z.object({ 'Last-Event-ID': z.string().optional().describe('resume after this entry') }),
      query: streamQuery,
      responses: {
        200: {
          description: 'events `id: <position>`, `event: <type>`, `data: <timeline entry>`; then `event: end`, or `event: reconnect` when the service stops',
          contentType: 'text/event-stream',
        },
      },
      errors: { 404: ['not_found'] },
      async handle(req, res, { query }) {
        const order = await existingOrder(req);
        const lastEventId = Number(req.get('Last-Event-ID') ?? query.lastEventId ?? 0);
        await waits.streamUpdates(order.orderId, Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : 0, res);
      },
    }),

    route({
      method: 'post',
      path: '/orders/:orderId/cancel',
      summary: 'Cancel an order; a CONFIRMED one once shipping says the parcel has not left',
      params: orderIdOnly,
      body: cancelOrderBody,
      responses: { 202: { description: 'the order after the cancellation', schema: orderBody } },
      errors: { 404: ['not_found'], 409: ['not_cancellable'] },
      async handle(req, res, { body: { reason } }) {
        const { orderId } = await existingOrder(req);
        const order = await withTransaction(pool, (tx) => decideOn(tx, orderId, (now) => ({ type: 'CancelOrder', orderId, reason, now })));
        res.status(202).json(orderView(cancellationOutcome(await waits.cancellationAnswer(order, res))));
      },
    }),
  ];
}
