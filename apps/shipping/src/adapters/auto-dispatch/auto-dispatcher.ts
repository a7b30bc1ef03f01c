/**
 * Moves shipments along on their own when AUTO_DISPATCH_MS is set: a shipment SCHEDULED for at
 * least that long is dispatched, one DISPATCHED for at least that long is delivered.
 *
 * - Each pass takes up to `batchSize` due shipments per step, oldest first, each in its own
 *   transaction with its outbox event. Rows are taken with FOR UPDATE SKIP LOCKED, so instances
 *   running side by side share the work and never move a shipment twice; the API takes the same
 *   row lock, so a shipment dispatched by hand meanwhile is seen as such and left alone.
 * - Due-ness is measured on the service clock, the one that wrote scheduledAt and dispatchedAt.
 * - A failed pass (database hiccup) is retried after a back-off; nothing is skipped, since what was
 *   not moved is still due.
 * - Each step is a span in the order's trace: the child of the one that scheduled the shipment.
 * - stop() lets the pass in hand finish, then returns.
 */
import { startLoop } from '@webshop/background';
import { withTransaction, type Pool } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { contextOf, inSpan } from '@webshop/tracing';
import type { Logger } from '@webshop/service-kit';
import { shippingDecider, type ShippingCommand } from '../../domain/decide';
import { lockedShipment, lockShipmentDue } from '../pg/shipment-store';
import { newTrackingNumber as defaultTrackingNumber } from '../tracking-number';

export interface AutoDispatcherOptions {
  pool: Pool;
  /** How long a shipment stays SCHEDULED, and then DISPATCHED, before it moves on. */
  afterMs: number;
  logger: Logger;
  clock?: () => Date;
  newTrackingNumber?: () => string;
  /** Shipments moved per step and pass at most, so a pass (and stop) is bounded. */
  batchSize?: number;
  /** Between passes; defaults to a quarter of `afterMs`, within 50 ms .. 1 s. */
  intervalMs?: number;
}

export interface AutoDispatcher {
  /** Finishes the pass in hand, then stops. */
  stop(): Promise<void>;
}

export function startAutoDispatcher(options: AutoDispatcherOptions): AutoDispatcher {
  const { pool, afterMs, logger } = options;
  if (!Number.isInteger(afterMs) || afterMs <= 0) throw new Error(`afterMs must be a positive integer, not ${afterMs}`);
  const clock = options.clock ?? (() => new Date());
  const newTrackingNumber = options.newTrackingNumber ?? defaultTrackingNumber;
  const batchSize = options.batchSize ?? 100;
  const intervalMs = options.intervalMs ?? Math.min(1_000, Math.max(50, Math.floor(afterMs / 4)));

  const steps: Array<{ status: 'SCHEDULED' | 'DISPATCHED'; span: string; command: (orderId: string, now: string) => ShippingCommand }> = [
    { status: 'SCHEDULED', span: 'auto-dispatch shipment', command: (orderId, now) => ({ type: 'DispatchShipment', orderId, trackingNumber: newTrackingNumber(), now }) },
    { status: 'DISPATCHED', span: 'auto-deliver shipment', command: (orderId, now) => ({ type: 'DeliverShipment', orderId, now }) },
  ];

  /** Moves one due shipment of `step` in its own transaction; false when none is due. */
  const moveOne = (step: (typeof steps)[number]) =>
    withTransaction(pool, async (tx) => {
      const now = clock();
      const due = await lockShipmentDue(tx, step.status, new Date(now.getTime() - afterMs).toISOString());
      if (!due) return false;
      // A step of the order's trace: the child of the span that scheduled the shipment.
      const { orderId } = due.shipment;
      await inSpan(step.span, { parent: contextOf(due.traceparent), attributes: { 'webshop.order_id': orderId } }, async () => {
        const { after } = await decideAndRecord(tx, 'shipping', shippingDecider, lockedShipment(due), step.command(orderId, now.toISOString()));
        logger.info('shipment moved on automatically', { correlationId: orderId, status: after!.status });
      });
      return true;
    });

  async function pass(): Promise<void> {
    for (const step of steps) {
      let moved = 0;
      while (moved < batchSize && (await moveOne(step))) moved += 1;
    }
  }

  const loop = startLoop({
    work: pass,
    idleMs: intervalMs,
    backoff: { initialMs: 200, maxMs: 10_000 },
    log: { logger, message: 'auto-dispatch pass failed; retrying', recovered: 'auto-dispatch passes again' },
  });

  return {
    stop: () => loop.stop(),
  };
}
