/**
 * One record in a transaction of its own: the inbox check and the handler together, so the
 * handler's effects and the inbox row are kept or lost as one. An id already in the inbox changes
 * nothing (`duplicate`); a type without a handler is not even recorded (`ignored`).
 */
import type { KafkaMessage } from 'kafkajs';
import type { EventType } from '@webshop/events';
import { withTransaction, type Pool } from '@webshop/postgres';
import { withContext } from '@webshop/tracing';
import { recordInInbox } from '../inbox';
import { eventLogFields, withEventLogFields, type EventLogFields } from '../log-fields';
import { readRecord } from '../read-record';
import { endProcessing, endProcessingFailed, startProcessing } from './process-span';
import type { EventHandler, EventHandlers, Outcome, Source } from './types';

export interface ApplyContext {
  pool: Pool;
  /** The inbox's consumer name (the consumer group). */
  groupId: string;
  handlers: EventHandlers;
  topicPrefix: string;
}

export type Applied = { outcome: Outcome; type: string | null; occurredAt: string | null; event: EventLogFields };

/** Throws what went wrong: `NonRetriableError` for a record that is no event, else the handler's or the database's error. */
export async function applyRecord(ctx: ApplyContext, { topic, partition }: Source, message: KafkaMessage): Promise<Applied> {
  const event = readRecord(topic, partition, message, ctx.topicPrefix);
  const handler = ctx.handlers[event.type] as EventHandler<EventType> | undefined;
  if (!handler) return { outcome: 'ignored', type: event.type, occurredAt: event.occurredAt, event: eventLogFields(message.headers) };
  const processing = startProcessing(ctx.groupId, event);
  let applied: boolean;
  try {
    applied = await withContext(processing.context, () =>
      withTransaction(ctx.pool, async (tx) => {
        if (!(await recordInInbox(tx, ctx.groupId, event))) return false;
        await withEventLogFields(eventLogFields(message.headers), () => handler(event, tx));
        return true;
      }),
    );
  } catch (error) {
    endProcessingFailed([processing], error, false);
    throw error;
  }
  endProcessing([{ ...processing, outcome: applied ? 'applied' : 'duplicate' }]);
  return { outcome: applied ? 'applied' : 'duplicate', type: event.type, occurredAt: event.occurredAt, event: eventLogFields(message.headers) };
}
