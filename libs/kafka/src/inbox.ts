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

/** Records the event as applied by `consumer`; false when it already was. Call inside the transaction. */
export async function recordInInbox(
  client: PoolClient,
  consumer: string,
  event: { eventId: string; type: string; topic: string; partition: number; offset: string },
): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO inbox (consumer, event_id, event_type, topic, partition, "offset")
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [consumer, event.eventId, event.type, event.topic, event.partition, event.offset],
  );
  return rowCount === 1;
}
