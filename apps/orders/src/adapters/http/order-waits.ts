/**
 * The waiting the orders API hosts, all woken by committed changes (LISTEN/NOTIFY, from any
 * instance), never by polling, and all cut short when the client goes away or the service begins
 * to stop:
 *   the long poll     GET /orders/:id?until=…: the order once its status is one of those;
 *   the live stream   GET /orders/:id/updates: the timeline as Server-Sent Events, then live;
 *   cancel-then-wait  POST /orders/:id/cancel of a CONFIRMED order: shipping's answer.
 *
 * The stream's wire format (text/event-stream): each entry `id: <position>`, `event: <type>`,
 * `data: <the timeline entry as JSON>`; `: keep-alive` at least every 15 s; `event: end` with
 * `data: { status }` once the order is final; `retry: 1000` and `event: reconnect` with
 * `data: { reason, lastEventId }` when the service stops.
 */
import type { Response } from 'express';
import type { Pool } from '@webshop/postgres';
import { finalStatuses, type Order, type OrderStatus } from '../../domain/order';
import type { OrderChanges } from '../pg/order-changes';
import { loadOrder } from '../pg/order-store';
import { timelineAfter, timelineHas } from '../pg/timeline-store';
import { timelineView } from './views';

/** The event that makes each final status, which the stream waits for before it ends. */
const finalEvent: Partial<Record<OrderStatus, string>> = { REJECTED: 'OrderRejected', CANCELLED: 'OrderCancelled', DELIVERED: 'ShipmentDelivered' };

const KEEP_ALIVE_MS = 15_000;

export interface OrderWaitsOptions {
  pool: Pool;
  changes: OrderChanges;
  /** How long a cancel waits for shipping's answer about a confirmed order. */
  cancelWaitMs: number;
  /** Aborted when the service begins to stop: long polls answer at once, streams end with `event: reconnect`. */
  stopping: AbortSignal;
}

export function orderWaits({ pool, changes, cancelWaitMs, stopping }: OrderWaitsOptions) {
  /** Aborted when the client goes away or the service begins to stop: whoever waits answers now. */
  const untilGoneOrStopping = (res: Response): AbortSignal => {
    const gone = new AbortController();
    res.on('close', () => gone.abort()); // the client left, or the answer went out
    return AbortSignal.any([gone.signal, stopping]);
  };

  /**
   * The order once `done` holds for it, or as it stands when `timeoutMs` ran out or `signal` fired.
   * The waiter is registered before each read, so a change between the read and the wait is not missed.
   */
  async function awaitOrder(order: Order, done: (order: Order) => boolean, timeoutMs: number, signal: AbortSignal): Promise<Order> {
    const deadline = Date.now() + timeoutMs;
    while (!done(order) && Date.now() < deadline && !signal.aborted) {
      const changed = changes.next(order.orderId, signal, deadline - Date.now());
      order = (await loadOrder(pool, order.orderId))!;
      if (done(order)) break;
      if (!(await changed)) break; // nothing changed since the last read (or the wait was cut short): it is current
    }
    return order;
  }

  return {
    /** The long poll: the order once its status is one of `statuses`, or as it stands after `timeoutMs`. */
    untilStatus(order: Order, statuses: readonly OrderStatus[], timeoutMs: number, res: Response): Promise<Order> {
      return awaitOrder(order, (o) => statuses.includes(o.status), timeoutMs, untilGoneOrStopping(res));
    },

    /**
     * A confirmed order whose cancellation is open: only shipping knows whether its parcel has left.
     * Waits for the answer (a round trip through Kafka, usually well under a second): the order
     * CANCELLED, or SHIPPED when the dispatch came first. Without an answer in time, the order still
     * CONFIRMED with its request open; the outcome follows (GET with ?until=CANCELLED,SHIPPED).
     */
    cancellationAnswer(order: Order, res: Response): Promise<Order> {
      if (order.status !== 'CONFIRMED' || !order.cancellation) return Promise.resolve(order);
      return awaitOrder(order, (o) => o.status !== 'CONFIRMED', cancelWaitMs, untilGoneOrStopping(res));
    },

    /** The live stream of the order's timeline after position `after`, until the order is final. */
    async streamUpdates(orderId: string, after: number, res: Response): Promise<void> {
      res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
      res.flushHeaders();
      const signal = untilGoneOrStopping(res);
      while (!signal.aborted) {
        const changed = changes.next(orderId, signal, KEEP_ALIVE_MS);
        const current = (await loadOrder(pool, orderId))!;
        // The id is the entry's position, in commit order: a resume after id N (Last-Event-ID, on any
        // instance) sends exactly the entries committed after entry N, none twice, none missing.
        for (const entry of await timelineAfter(pool, orderId, after)) {
          res.write(`id: ${entry.position}\nevent: ${entry.type}\ndata: ${JSON.stringify(timelineView(entry))}\n\n`);
          after = entry.position;
        }
        // The view turns final as soon as this service decides; the stream ends once the event that
        // made it final is in the timeline too (it comes back from Kafka a moment later).
        if (finalStatuses.includes(current.status) && (await timelineHas(pool, orderId, finalEvent[current.status]!, after))) {
          res.write(`event: end\ndata: ${JSON.stringify({ status: current.status })}\n\n`);
          break;
        }
        await changed; // a change, or KEEP_ALIVE_MS without one
        if (!signal.aborted) res.write(': keep-alive\n\n');
      }
      // The service is stopping: tell the client to come back (EventSource does, after `retry` ms, with
      // Last-Event-ID), to this instance once it is up again or to another one.
      if (stopping.aborted) res.write(`retry: 1000\nevent: reconnect\ndata: ${JSON.stringify({ reason: 'the service is stopping', lastEventId: after })}\n\n`);
      res.end();
    },
  };
}
