/**
 * Dead letters: a record a consumer cannot apply, ever, goes to `<topic>.dlq.<consumer-service>`
 * with its original key, value bytes and headers untouched, plus these headers saying why:
 *
 *   dlq-reason            machine-readable: empty_value; the value is no event: bad_magic, too_short,
 *                         unknown_schema, corrupt_body, invalid_data; the envelope (envelope.ts,
 *                         read-record.ts): invalid_envelope (a required header missing or malformed,
 *                         or a header that disagrees with the value), wrong_topic (an event type
 *                         that topic does not carry), foreign_writer (producer is not the topic's
 *                         writer); or the handler's own reason (e.g. unknown_order)
 *   dlq-error             the error message
 *   dlq-consumer          the consumer group that gave up
 *   dlq-source-topic / dlq-source-partition / dlq-source-offset   where it came from
 *   dlq-failed-at         ISO-8601 UTC
 */
import type { ConsumedRecord, RecordHeaders, RecordToSend } from './client';

export const DlqHeader = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  consumer: 'dlq-consumer',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  failedAt: 'dlq-failed-at',
} as const;

export function deadLetterMessage(
  source: { topic: string; partition: number; message: Pick<ConsumedRecord, 'key' | 'value' | 'headers' | 'offset'> },
  consumer: string,
  reason: string,
  error: string,
): RecordToSend {
  const headers: RecordHeaders = { ...(source.message.headers ?? {}) };
  headers[DlqHeader.reason] = reason;
  headers[DlqHeader.error] = error.slice(0, 2000);
  headers[DlqHeader.consumer] = consumer;
  headers[DlqHeader.sourceTopic] = source.topic;
  headers[DlqHeader.sourcePartition] = String(source.partition);
  headers[DlqHeader.sourceOffset] = source.message.offset;
  headers[DlqHeader.failedAt] = new Date().toISOString();
  return { key: source.message.key, value: source.message.value, headers };
}
