/**
 * Publishes outbox rows to Kafka, in id order, so events of one key keep their order.
 *
 * - Woken by LISTEN/NOTIFY when a transaction appends rows; a slow poll is only a safety net.
 * - One relay per service database publishes at a time: the leader holds a Postgres advisory lock
 *   on its listening connection. Others wait; if the leader's connection dies, one takes over.
 * - Rows are marked published only after the broker acknowledged them (acks=all). A crash between
 *   the two publishes the rows again on restart: at-least-once, which consumers' inboxes absorb.
 * - When the broker is down, the batch is retried with back-off, in the same order, losing nothing.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import type { ServiceName } from '@webshop/events';
import { createWaker, listen, type Listening, type Pool } from '@webshop/postgres';
import { backoffMs, messageOf } from './errors';
import { createIdempotentProducer, silentLogger, type PlumbingLogger } from './kafka-client';
import { OUTBOX_CHANNEL } from './outbox';

export interface OutboxRelayOptions {
  pool: Pool;
  kafka: Kafka;
  service: ServiceName;
  logger?: PlumbingLogger;
  /** Prepended to every topic name (isolates test runs on a shared broker). */
  topicPrefix?: string;
  batchSize?: number;
  /** The safety-net poll, for a notification lost while the listening connection was down. */
  pollIntervalMs?: number;
  /** How often a relay that is not the leader tries to become it. */
  leaderRetryMs?: number;
  /** Published rows are deleted once older than this. */
  retentionMs?: number;
  onPublished?: (events: Array<{ topic: string; eventType: string }>) => void;
}

export interface OutboxRelay {
  start(): void;
  /** Finishes the batch in hand, then disconnects. */
  stop(): Promise<void>;
  /** Rows not yet published. */
  backlog(): Promise<number>;
  /** Whether this instance holds the leader lock and is publishing. */
  isLeader(): boolean;
}

interface OutboxRow {
  id: number;
  topic: string;
  key: string;
  event_type: string;
  headers: Record<string, string>;
  payload: Buffer;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const {
    pool,
    kafka,
    service,
    logger = silentLogger,
    topicPrefix = '',
    batchSize = 500,
    pollIntervalMs = 5_000,
    leaderRetryMs = 2_000,
    retentionMs = 24 * 3600_000,
    onPublished,
  } = options;
  const lockName = `outbox-relay:${service}`;
  let running: Promise<void> | undefined;
  let listener: Listening | undefined;
  let producer: Producer | undefined;
  let lastPrune = 0;

  let waker = createWaker();
  const notify = () => waker.notify();
  const wait = (ms: number, wakeOnNotify: boolean) => waker.wait(ms, wakeOnNotify);

  async function becomeLeader(): Promise<boolean> {
    const listening = await listen(pool, OUTBOX_CHANNEL, {
      setup: async (client) => {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [lockName]);
        return rows[0]?.locked === true;
      },
      onNotify: notify,
      onLost: (error) => {
        // The session (and with it the lock) is gone: stand down until the lock is won again.
        logger.warn('outbox relay lost its listening connection', { err: messageOf(error) });
        listener = undefined;
        notify();
      },
    });
    if (!listening) return false;
    listener = listening;
    logger.info('outbox relay is the leader', { service });
    return true;
  }

  async function publishBatch(): Promise<number> {
    const { rows } = await pool.query<OutboxRow>(
      'SELECT id, topic, key, event_type, headers, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
      [batchSize],
    );
    if (rows.length === 0) return 0;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const topic = topicPrefix + row.topic;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.key, value: row.payload, headers: row.headers });
      byTopic.set(topic, messages);
    }
    if (!producer) {
      producer = createIdempotentProducer(kafka);
      await producer.connect();
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    await pool.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
    onPublished?.(rows.map((r) => ({ topic: r.topic, eventType: r.event_type })));
    return rows.length;
  }

  async function prune(): Promise<void> {
    if (Date.now() - lastPrune < 10 * 60_000) return;
    lastPrune = Date.now();
    await pool.query('DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)', [retentionMs / 1000]);
  }

  async function resetProducer(): Promise<void> {
    const old = producer;
    producer = undefined;
    await old?.disconnect().catch(() => undefined);
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!waker.stopped) {
      try {
        if (!listener) {
          if (!(await becomeLeader())) {
            await wait(leaderRetryMs, false);
            continue;
          }
        }
        const published = await publishBatch();
        failures = 0;
        if (published < batchSize) {
          await prune();
          await wait(pollIntervalMs, true);
        }
      } catch (error) {
        failures += 1;
        const delay = backoffMs(failures, 200, 10_000);
        logger.warn('outbox relay could not publish; retrying', { err: messageOf(error), attempt: failures, delayMs: delay });
        await resetProducer();
        await wait(delay, false);
      }
    }
  }

  return {
    start() {
      if (running) return;
      waker = createWaker();
      running = loop();
    },
    async stop() {
      waker.stop();
      await running;
      running = undefined;
      await resetProducer();
      const leading = listener;
      listener = undefined;
      if (leading) {
        await leading.client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]).catch(() => undefined);
        await leading.close();
      }
    },
    async backlog() {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
      return rows[0]?.n ?? 0;
    },
    isLeader: () => listener !== undefined,
  };
}
