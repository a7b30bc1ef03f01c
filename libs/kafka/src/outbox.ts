/**
 * The transactional outbox: a service writes its state change and the events it implies in ONE
 * Postgres transaction, so an event exists exactly when its state change does. The relay
 * (outbox-relay.ts) publishes the rows later, in id order.
 *
 * Tables: `outbox_pending` holds the rows not yet published; the relay moves each published row to
 * `outbox_published` (without its payload) in one statement, so pending rows are never updated and
 * the relay's scan never meets a published one. `outbox` is a view of both (published_at NULL for
 * the pending ones) for those who read what a service wrote: tests, tools, the chaos checker.
 */
import { encodeEvent, fingerprintOf, keyOf, topicOf, type ServiceName } from '@webshop/events';
import type { Migration, PoolClient } from '@webshop/postgres';
import { inSpan } from '@webshop/tracing';
import { envelopeHeaders, type AnyOutgoingEvent } from './envelope';

/** The channel the relay LISTENs on; NOTIFY is delivered when the writing transaction commits. */
export const OUTBOX_CHANNEL = 'webshop_outbox';

export const outboxMigration: Migration = {
  id: '000_messaging_outbox',
  sql: `
    CREATE TABLE outbox (
      id           bigserial PRIMARY KEY,
      topic        text        NOT NULL,
      key          text        NOT NULL,
      event_type   text        NOT NULL,
      event_id     uuid        NOT NULL UNIQUE,
      headers      jsonb       NOT NULL,
      payload      bytea       NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    );
    CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
  `,
};

/**
 * Was one table whose rows the relay marked published with an UPDATE: never a HOT update (the
 * partial index's column changed), so every publish left a dead row behind, and the relay's scan
 * stepped over all of them on every wake-up until a vacuum. Rows already published move to the
 * history as they are.
 */
export const outboxPublishedMigration: Migration = {
  id: '000_messaging_outbox_published',
  sql: `
    ALTER TABLE outbox RENAME TO outbox_pending;
    CREATE TABLE outbox_published (
      id           bigint      PRIMARY KEY,
      topic        text        NOT NULL,
      key          text        NOT NULL,
      event_type   text        NOT NULL,
      event_id     uuid        NOT NULL,
      headers      jsonb       NOT NULL,
      created_at   timestamptz NOT NULL,
      published_at timestamptz NOT NULL
    );
    INSERT INTO outbox_published
      SELECT id, topic, key, event_type, event_id, headers, created_at, published_at FROM outbox_pending WHERE published_at IS NOT NULL;
    DELETE FROM outbox_pending WHERE published_at IS NOT NULL;
    DROP INDEX outbox_unpublished;
    ALTER TABLE outbox_pending DROP COLUMN published_at;
    CREATE VIEW outbox AS
      SELECT id, topic, key, event_type, event_id, headers, created_at, NULL::timestamptz AS published_at FROM outbox_pending
      UNION ALL
      SELECT id, topic, key, event_type, event_id, headers, created_at, published_at FROM outbox_published;
  `,
};

export interface EncodedRecord {
  topic: string;
  key: string;
  eventType: string;
  eventId: string;
  headers: Record<string, string>;
  value: Buffer;
}

/**
 * The Kafka record for an event: Avro value (validated against its schema), key, envelope headers.
 * Refuses an event whose topic `producer` is not the single writer of.
 */
export function encodeRecord(event: AnyOutgoingEvent, producer: ServiceName): EncodedRecord {
  const topic = topicOf(event.type);
  if (topic.writer !== producer) {
    throw new Error(`${producer} may not publish ${event.type}: topic "${topic.name}" is written only by ${topic.writer}`);
  }
  const value = encodeEvent(event.type, event.data as never);
  const key = keyOf(event.type, event.data as never);
  const { eventId, headers } = envelopeHeaders(event, producer, key, fingerprintOf(event.type));
  return { topic: topic.name, key, eventType: event.type, eventId, headers, value };
}

/**
 * Encodes the events (validating them against their schemas) and stores them in the outbox, inside
 * the caller's transaction. Refuses an event whose topic `producer` is not the single writer of.
 * Returns the event ids in order.
 */
export async function appendToOutbox(
  client: PoolClient,
  producer: ServiceName,
  events: readonly AnyOutgoingEvent[],
): Promise<string[]> {
  if (events.length === 0) return [];
  // The span the events' traceparent names: the parent of their publish and of their consumers' work.
  return inSpan('outbox append', { attributes: () => ({ 'webshop.events': events.length, 'webshop.event_types': [...new Set(events.map((e) => e.type))] }) }, async () => {
    const columns = { topic: [] as string[], key: [] as string[], type: [] as string[], id: [] as string[], headers: [] as string[], payload: [] as Buffer[] };
    for (const event of events) {
      const record = encodeRecord(event, producer);
      columns.topic.push(record.topic);
      columns.key.push(record.key);
      columns.type.push(record.eventType);
      columns.id.push(record.eventId);
      columns.headers.push(JSON.stringify(record.headers));
      columns.payload.push(record.value);
    }
    // The transaction takes its xid before its rows take their ids: the relay's floor relies on it
    // (outbox-floor.ts). The notification goes out at commit, whenever it is asked for.
    await client.query(`SELECT pg_current_xact_id(), pg_notify('${OUTBOX_CHANNEL}', '')`);
    await client.query(
      `INSERT INTO outbox_pending (topic, key, event_type, event_id, headers, payload)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::jsonb[], $6::bytea[])`,
      [columns.topic, columns.key, columns.type, columns.id, columns.headers, columns.payload],
    );
    return columns.id;
  });
}
