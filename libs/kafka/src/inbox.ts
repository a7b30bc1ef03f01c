/**
 * The inbox: which events a consumer has applied. A handler's effects and the inbox row are written
 * in one transaction, so an event delivered twice (redelivery after a crash, a relay publishing a
 * row again) finds its id here and changes nothing.
 */
import type { Migration, PoolClient } from '@webshop/postgres';

export const inboxMigration: Migration = {
  id: '000_messaging_inbox',
  sql: `
    CREATE TABLE inbox (
      consumer     text        NOT NULL,
      event_id     uuid        NOT NULL,
      event_type   text        NOT NULL,
      topic        text        NOT NULL,
      partition    int         NOT NULL,
      "offset"     bigint      NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    );
  `,
};

type InboxEntry = { eventId: string; type: string; topic: string; partition: number; offset: string };

/** Records the event as applied by `consumer`; false when it already was. Call inside the transaction. */
export async function recordInInbox(client: PoolClient, consumer: string, event: InboxEntry): Promise<boolean> {
  return (await recordRunInInbox(client, consumer, [event])).has(event.eventId);
}

/**
 * Records a run of events in one statement; answers the ids it recorded now (those not applied
 * before). An id twice in the run is recorded once. Call inside the transaction that applies them.
 */
export async function recordRunInInbox(
  client: PoolClient,
  consumer: string,
  events: readonly InboxEntry[],
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const { rows } = await client.query<{ event_id: string }>(
    `INSERT INTO inbox (consumer, event_id, event_type, topic, partition, "offset")
     SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::bigint[])
     ON CONFLICT DO NOTHING
     RETURNING event_id`,
    [
      consumer,
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => e.topic),
      events.map((e) => e.partition),
      events.map((e) => e.offset),
    ],
  );
  return new Set(rows.map((r) => r.event_id));
}
