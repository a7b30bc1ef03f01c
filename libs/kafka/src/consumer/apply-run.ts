/**
 * The fast path: a run of records of one partition in ONE transaction (one commit, one fsync, for
 * all of them), with one inbox statement for the whole run. All or nothing: when any record fails,
 * nothing of the run is kept and the caller applies its records one by one (apply-record.ts), where
 * each failure gets its own retry or dead letter.
 *
 * With other partitions applied at the same time, a run waits at most `lockTimeoutMs` for a row
 * lock: two runs locking the same rows in opposite orders would otherwise deadlock, or one would
 * wait for the other's whole run. It then fails with `lock_timeout` and is applied one record (one
 * lock) at a time, without a timeout.
 */
import type { KafkaMessage } from 'kafkajs';
import type { EventType } from '@webshop/events';
import { withTransaction } from '@webshop/postgres';
import { withContext } from '@webshop/tracing';
import { reasonOf } from '../errors';
import { recordRunInInbox } from '../inbox';
import { eventLogFields, withEventLogFields, type EventLogFields } from '../log-fields';
import { readRecord } from '../read-record';
import type { ApplyContext } from './apply-record';
import { endProcessing, endProcessingFailed, startProcessing, type Processing } from './process-span';
import type { EventHandler, Outcome, Source } from './types';

export type RunResult =
  | { ok: true; outcomes: Array<{ outcome: Outcome; type: string; offset: string; occurredAt: string; event: EventLogFields }>; ms: number }
  | { ok: false; error: unknown };

/** Postgres' lock_not_available: the statement waited longer than `lock_timeout`. */
const LOCK_NOT_AVAILABLE = '55P03';

/** Why a run failed, for the log: `lock_timeout`, or the failing record's reason (errors.ts). */
export function runFailureReason(error: unknown): string {
  return (error as { code?: unknown } | null)?.code === LOCK_NOT_AVAILABLE ? 'lock_timeout' : reasonOf(error);
}

/** Never throws: a failed run answers `ok: false` with the error, and nothing of it was kept. */
export async function applyRun(
  ctx: ApplyContext & { lockTimeoutMs: number | undefined },
  { topic, partition }: Source,
  messages: readonly KafkaMessage[],
): Promise<RunResult> {
  const started = performance.now();
  const spans: Array<Processing & { outcome: Outcome }> = [];
  try {
    const events = messages.map((message) => ({ message, event: readRecord(topic, partition, message, ctx.topicPrefix) }));
    const outcomes = await withTransaction(ctx.pool, async (tx) => {
      if (ctx.lockTimeoutMs !== undefined) await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(ctx.lockTimeoutMs))}`);
      // The ids recorded now are the ones to apply.
      const fresh = await recordRunInInbox(tx, ctx.groupId, events.filter(({ event }) => ctx.handlers[event.type]).map(({ event }) => event));
      const results = [];
      for (const { message, event } of events) {
        const handler = ctx.handlers[event.type] as EventHandler<EventType> | undefined;
        let outcome: Outcome = 'ignored';
        if (handler) {
          outcome = fresh.delete(event.eventId) ? 'applied' : 'duplicate'; // delete: an id twice in the run applies once
          const processing = { ...startProcessing(ctx.groupId, event), outcome };
          spans.push(processing);
          if (outcome === 'applied') await withContext(processing.context, () => withEventLogFields(eventLogFields(message.headers), () => handler(event, tx)));
        }
        results.push({ outcome, type: event.type, offset: message.offset, occurredAt: event.occurredAt, event: eventLogFields(message.headers) });
      }
      return results;
    });
    endProcessing(spans);
    return { ok: true, outcomes, ms: performance.now() - started };
  } catch (error) {
    endProcessingFailed(spans, error, true);
    return { ok: false, error };
  }
}
