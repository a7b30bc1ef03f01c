/**
 * Publishes outbox rows to Kafka, in id order, so events of one key keep their order.
 *
 * - Woken by LISTEN/NOTIFY when a transaction appends rows; a slow poll is only a safety net.
 * - One relay per service database publishes at a time: the holder of the relay lease
 *   (relay-lease.ts), which it renews before every batch and at least every `leaseMs / 3` while
 *   idle. A leader that stops making progress (killed, paused, cut off) loses the lease after at
 *   most `leaseMs`; another instance, trying every `leaderRetryMs`, takes over: publishing resumes
 *   within `leaseMs + leaderRetryMs` (3 s + 1 s by default) of the leader's last renewal.
 * - Fencing: the leader publishes through a transactional producer whose transactional id is the
 *   relay's (one per service and topic prefix). A new leader's producer, on connecting, bumps the
 *   id's epoch at the broker, which aborts the old leader's open transaction and refuses any it
 *   tries later (INVALID_PRODUCER_EPOCH). A leader that wakes up after losing its lease can
 *   therefore make nothing visible: no row is published out of order behind its successor's back.
 *   Consumers read committed records only (kafkajs' default).
 * - Rows are moved from `outbox_pending` to `outbox_published` only after the transaction committed
 *   (acks=all). A crash between the two publishes the rows again later: at-least-once, which
 *   consumers' inboxes absorb.
 * - The scan never meets a published row: those are gone from `outbox_pending`, and the dead
 *   entries they leave in its primary key (until a vacuum, which this does not rely on) lie at or
 *   below the relay's floor, where the scan does not look (outbox-floor.ts).
 * - When the broker or the database is away, the batch is retried with back-off, in the same
 *   order, losing nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Message, Producer } from 'kafkajs';
import type { ServiceName } from '@webshop/events';
import { startLoop, type Loop, type Next } from '@webshop/background';
import { keepListening, type KeptListening, type Pool } from '@webshop/postgres';
import { contextOf, failed, SpanKind, startSpan } from '@webshop/tracing';
import { Header } from './envelope';
import { messageOf, reasonOf } from './errors';
import { eventLogFields } from './log-fields';
import { createIdempotentProducer, silentLogger, type PlumbingLogger, type KafkaClient } from './kafka-client';
import { OUTBOX_CHANNEL } from './outbox';
import { createOutboxFloor } from './outbox-floor';
import { createRelayLease } from './relay-lease';

export interface OutboxRelayOptions {
  pool: Pool;
  kafka: KafkaClient;
  service: ServiceName;
  logger?: PlumbingLogger;
  /** Prepended to every topic name (isolates test runs on a shared broker). */
  topicPrefix?: string;
  batchSize?: number;
  /** The safety-net poll, for a notification lost while the listening connection was down. */
  pollIntervalMs?: number;
  /** How often a relay that is not the leader tries to become it. */
  leaderRetryMs?: number;
  /** How long leadership lasts without a renewal: the bound on how long a frozen leader holds up publishing. */
  leaseMs?: number;
  /** Published rows are deleted from the history (`outbox_published`) once older than this. */
  retentionMs?: number;
  /** A batch published: its events, and the seconds its Kafka transaction took (send and commit). */
  onPublished?: (events: Array<{ topic: string; eventType: string }>, seconds: number) => void;
  /** A publish the broker did not take (its reason, errors.ts; `fenced` when a newer leader took over). */
  onPublishFailed?: (reason: string) => void;
}

/** What waits in the outbox: how many rows, and how long the oldest has waited. */
export interface OutboxPending {
  events: number;
  /** 0 when nothing waits. */
  oldestAgeSeconds: number;
}

export interface OutboxRelay {
  start(): void;
  /** Finishes the batch in hand, then disconnects. */
  stop(): Promise<void>;
  /** Rows not yet published. */
  backlog(): Promise<number>;
  /** Rows not yet published and the age of the oldest, in one query. */
  pending(): Promise<OutboxPending>;
  /** Whether this instance holds the leader lock and is publishing. */
  isLeader(): boolean;
}

/**
 * One row of a scan: the snapshot's figures (outbox-floor.ts), and a pending row, or none (NULLs).
 * `outbox_id_seq` is the id sequence of `outbox_pending` (made for `outbox`, renamed since).
 */
const SCAN = `
  SELECT s.last_id, s.xmin, s.xmax, o.*
  FROM (SELECT (CASE WHEN is_called THEN last_value ELSE last_value - 1 END)::text AS last_id,
               pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax
        FROM outbox_id_seq) s
  LEFT JOIN LATERAL (SELECT id, topic, key, event_type, headers, payload FROM outbox_pending WHERE id > $1 ORDER BY id LIMIT $2) o ON true`;

/** Published: out of the pending table, into the history, in one statement. */
const MOVE = `
  WITH published AS (DELETE FROM outbox_pending WHERE id = ANY($1::bigint[]) RETURNING id, topic, key, event_type, event_id, headers, created_at)
  INSERT INTO outbox_published SELECT *, now() FROM published`;

interface ScanRow {
  last_id: string;
  xmin: string;
  xmax: string;
  id: string | null;
  topic: string;
  key: string;
  event_type: string;
  headers: Record<string, string>;
  payload: Buffer;
}

/** The OpenTelemetry messaging attributes of an event's publish. */
const publishAttributes = (topicPrefix: string, row: ScanRow) => ({
  'messaging.system': 'kafka',
  'messaging.operation.type': 'send',
  'messaging.destination.name': topicPrefix + row.topic,
  'messaging.kafka.message.key': row.key,
  'messaging.message.id': row.headers[Header.eventId] ?? '',
  'webshop.event_type': row.event_type,
});

/** A former leader's producer, refused by the broker because a newer one took over its transactional id. */
const isFenced = (error: unknown): boolean => {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || /Transaction state exception/.test(messageOf(error));
};

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const {
    pool,
    kafka,
    service,
    logger = silentLogger,
    topicPrefix = '',
    batchSize = 500,
    pollIntervalMs = 5_000,
    leaderRetryMs = 1_000,
    leaseMs = 3_000,
    retentionMs = 24 * 3600_000,
    onPublished,
    onPublishFailed,
  } = options;
  const lease = createRelayLease(pool, `outbox-relay:${service}`, randomUUID(), leaseMs);
  const transactionalId = `${topicPrefix}${service}.outbox-relay`;
  let running: Loop | undefined;
  let listening: KeptListening | undefined;
  let producer: Producer | undefined;
  let epoch: number | undefined; // the lease's epoch while this instance leads
  let lastPrune = 0;
  const floor = createOutboxFloor();

  async function standDown(why: string): Promise<void> {
    if (epoch === undefined) return;
    logger.warn('outbox relay is no longer the leader', { service, why });
    epoch = undefined;
    await resetProducer();
  }

  /** Takes the lease when it is free or expired. */
  async function becomeLeader(): Promise<boolean> {
    const won = await lease.acquire();
    if (won === null) return false;
    epoch = won;
    logger.info('outbox relay is the leader', { service, epoch });
    return true;
  }

  /**
   * The leader's producer. Connecting it (InitProducerId for the relay's transactional id) fences
   * every earlier producer of that id: a former leader's, or this leader's own after a failure.
   */
  async function connectProducer(): Promise<Producer> {
    const transactional = createIdempotentProducer(kafka, { transactionalId });
    try {
      await transactional.connect();
    } catch (error) {
      await transactional.disconnect().catch(() => undefined);
      throw error;
    }
    return transactional;
  }

  async function publishBatch(): Promise<number> {
    const { rows: scanned } = await pool.query<ScanRow>(SCAN, [floor.value.toString(), batchSize]);
    const snapshot = { lastId: BigInt(scanned[0]!.last_id), xmin: BigInt(scanned[0]!.xmin), xmax: BigInt(scanned[0]!.xmax) };
    const rows = scanned.filter((r) => r.id !== null);
    if (rows.length > 0) await publish(rows);
    floor.advance(snapshot, { full: rows.length === batchSize, ...(rows.length > 0 ? { lastRowId: BigInt(rows.at(-1)!.id!) } : {}) });
    return rows.length;
  }

  async function publish(rows: ScanRow[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const topic = topicPrefix + row.topic;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.key, value: row.payload, headers: row.headers });
      byTopic.set(topic, messages);
    }
    // Each event's publish is a child of the span that appended it (its traceparent).
    const spans = rows.map((row) => startSpan(`publish ${row.event_type}`, { kind: SpanKind.PRODUCER, parent: contextOf(row.headers[Header.traceparent]), attributes: () => publishAttributes(topicPrefix, row) }).span);
    const started = performance.now();
    const transaction = await producer!.transaction();
    try {
      await transaction.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      const reason = isFenced(error) ? 'fenced' : reasonOf(error);
      onPublishFailed?.(reason);
      for (const span of spans) {
        failed(span, error, `not published (${reason}); the relay tries again`);
        span.end();
      }
      throw error;
    }
    for (const span of spans) span.end();
    const seconds = (performance.now() - started) / 1000;
    await pool.query(MOVE, [rows.map((r) => r.id)]);
    for (const row of rows) logger.debug('event published', { ...eventLogFields(row.headers), topic: topicPrefix + row.topic, key: row.key });
    onPublished?.(rows.map((r) => ({ topic: r.topic, eventType: r.event_type })), seconds);
  }

  async function prune(): Promise<void> {
    if (Date.now() - lastPrune < 10 * 60_000) return;
    lastPrune = Date.now();
    await pool.query('DELETE FROM outbox_published WHERE published_at < now() - make_interval(secs => $1)', [retentionMs / 1000]);
  }

  async function pending(): Promise<OutboxPending> {
    const { rows } = await pool.query<{ n: number; age: number }>(
      'SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age FROM outbox_pending WHERE id > $1',
      [floor.value.toString()],
    );
    return { events: rows[0]?.n ?? 0, oldestAgeSeconds: Math.max(0, rows[0]?.age ?? 0) };
  }

  async function resetProducer(): Promise<void> {
    const old = producer;
    producer = undefined;
    await old?.disconnect().catch(() => undefined);
  }

  /** One turn of the relay's loop: lead (or try to), then publish a batch. */
  async function step(): Promise<Next> {
    try {
      if (epoch === undefined) {
        if (!(await becomeLeader())) return { pauseMs: leaderRetryMs };
      } else if (!(await lease.renew(epoch))) {
        await standDown('its lease expired before it could renew it');
        return 'again';
      }
      producer ??= await connectProducer();
      if ((await publishBatch()) === batchSize) return 'again';
      await prune();
      // Idle: a notification wakes it; otherwise it comes back in time to renew the lease.
      return 'idle';
    } catch (error) {
      if (isFenced(error)) {
        await standDown('a newer leader fenced its producer');
        return 'again';
      }
      // A producer that failed may be in any state: the next attempt starts from a fresh one,
      // which (same transactional id) also aborts whatever the failed one left open.
      await resetProducer();
      throw error;
    }
  }

  return {
    start() {
      if (running) return;
      const loop = startLoop({
        work: step,
        idleMs: Math.min(pollIntervalMs, leaseMs / 3),
        backoff: { initialMs: 200, maxMs: Math.min(10_000, leaseMs / 3) },
        log: { logger, message: 'outbox relay could not publish; retrying', recovered: 'outbox relay is publishing again', fields: { service }, err: messageOf },
      });
      listening = keepListening(pool, OUTBOX_CHANNEL, {
        onNotify: () => loop.wake(),
        onInterrupted: (error) => {
          logger.debug('outbox relay is listening again; looking for rows it was not told of', { err: messageOf(error) });
          loop.wake();
        },
      });
      running = loop;
    },
    async stop() {
      await running?.stop();
      running = undefined;
      await listening?.stop();
      listening = undefined;
      const leading = epoch;
      epoch = undefined;
      await resetProducer();
      if (leading !== undefined) await lease.release(leading).catch(() => undefined);
    },
    backlog: async () => (await pending()).events,
    pending,
    isLeader: () => epoch !== undefined,
  };
}
