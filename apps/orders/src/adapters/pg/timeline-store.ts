/** SQL for the timeline: every event about an order, from every topic, where it sits in the log. */
import type { AnyIncomingEvent } from '@webshop/kafka';
import type { PoolClient } from '@webshop/postgres';
import { notifyOrderChanged, type Queryable } from './order-store';

/**
 * Appends the event to its order's timeline, at the next position. Call under `lockOrder`: the lock,
 * held until commit, makes positions follow commit order (the unique index refuses a clash).
 */
export async function appendToTimeline(tx: PoolClient, orderId: string, event: AnyIncomingEvent): Promise<void> {
  await tx.query(
    `INSERT INTO timeline (order_id, event_id, type, topic, partition, "offset", occurred_at, producer, data, position)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce(max(position), 0) + 1 FROM timeline WHERE order_id = $1
     ON CONFLICT (event_id) DO NOTHING`,
    [orderId, event.eventId, event.type, event.topic, event.partition, event.offset, event.occurredAt, event.producer, JSON.stringify(event.data)],
  );
  await notifyOrderChanged(tx, orderId);
}

export interface TimelineEntry {
  /** Its place in the order's timeline, in commit order: 1, 2, 3 … */
  position: number;
  eventId: string;
  type: string;
  topic: string;
  partition: number;
  offset: number;
  occurredAt: string;
  producer: string;
  data: unknown;
}

/** The order's timeline in the order things happened (occurred-at), as the API shows it. */
export async function timelineOf(db: Queryable, orderId: string): Promise<TimelineEntry[]> {
  return toEntries(
    await db.query(`SELECT ${timelineColumns} FROM timeline WHERE order_id = $1 ORDER BY occurred_at, position`, [orderId]),
  );
}

/** The entries committed after position `after`, in commit order: what a live stream sends next. */
export async function timelineAfter(db: Queryable, orderId: string, after: number): Promise<TimelineEntry[]> {
  return toEntries(
    await db.query(`SELECT ${timelineColumns} FROM timeline WHERE order_id = $1 AND position > $2 ORDER BY position`, [orderId, after]),
  );
}

const timelineColumns = 'position, event_id, type, topic, partition, "offset", occurred_at, producer, data';

function toEntries({ rows }: { rows: Array<Record<string, unknown>> }): TimelineEntry[] {
  return rows.map((r) => ({
    position: r['position'] as number,
    eventId: r['event_id'] as string,
    type: r['type'] as string,
    topic: r['topic'] as string,
    partition: r['partition'] as number,
    offset: r['offset'] as number,
    occurredAt: (r['occurred_at'] as Date).toISOString(),
    producer: r['producer'] as string,
    data: r['data'],
  }));
}

/** Whether the timeline holds an event of `type` at or before position `upTo`. */
export async function timelineHas(db: Queryable, orderId: string, type: string, upTo: number): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM timeline WHERE order_id = $1 AND type = $2 AND position <= $3 LIMIT 1', [orderId, type, upTo]);
  return rowCount === 1;
}
