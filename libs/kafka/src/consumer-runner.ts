/**
 * Runs a service's event handlers on the records of its topics, exactly once in effect.
 *
 * For each record, in partition order:
 *   1. decode (Avro single-object → writer schema → this service's reader schema) and validate;
 *   2. in ONE Postgres transaction: record the event id in the inbox and run the handler (which may
 *      change state and append to the outbox); an id already in the inbox changes nothing;
 *   3. after the transaction, mark the offset done; offsets are committed to Kafka after that
 *      (every `commitEvery` records and at the end of each batch), so a crash redelivers at most
 *      what was not committed and the inbox absorbs it.
 * For speed, runs of up to `runSize` records of one partition share one transaction; when anything
 * in a run fails, the run is rolled back whole and its records are applied one by one instead.
 * Up to `partitionsConcurrently` partitions are applied at once, each in its own order. A run waits
 * at most `runLockTimeoutMs` for a row lock another partition holds (two runs locking the same rows
 * in opposite orders would otherwise deadlock); then it is applied one by one, one lock at a time.
 * Failures: retriable ones (database or broker hiccup) are retried with back-off on the same record,
 * never skipping it; non-retriable ones (undecodable, invalid, a business rule the handler refuses)
 * send the record to `<topic>.dlq.<service>` with the reason, and the consumer moves on. Errors of
 * unknown kind get `maxUnknownAttempts` before they count as non-retriable.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { dlqTopicName, type EventType, type ServiceName } from '@webshop/events';
import { withTransaction, type Pool, type PoolClient } from '@webshop/postgres';
import { deadLetterMessage } from './dead-letter';
import { Header, headerString, type AnyIncomingEvent, type IncomingEvent } from './envelope';
import { backoffMs, classify, messageOf, reasonOf } from './errors';
import { recordInInbox, recordRunInInbox } from './inbox';
import { createIdempotentProducer, ensureTopics, silentLogger, type PlumbingLogger } from './kafka-client';
import { readRecord } from './read-record';

export type EventHandler<T extends EventType> = (event: IncomingEvent<T>, tx: PoolClient) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export type Outcome = 'applied' | 'duplicate' | 'ignored' | 'dead-lettered';
export interface OutcomeInfo {
  topic: string;
  partition: number;
  offset: string;
  type: string | null;
  reason?: string;
  ms: number;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  pool: Pool;
  service: ServiceName;
  /** Consumer group and inbox name; defaults to the service name. */
  groupId?: string;
  topics: ReadonlyArray<{ name: string }>;
  handlers: EventHandlers;
  logger?: PlumbingLogger;
  topicPrefix?: string;
  /** Partitions of the topics it creates when they are missing (its topics and dead-letter topics). */
  numPartitions?: number;
  fromBeginning?: boolean;
  /** Records applied together in one transaction when none of them fails. */
  runSize?: number;
  /** Partitions applied at the same time (kafkajs' partitionsConsumedConcurrently). */
  partitionsConcurrently?: number;
  /** How long a run waits for a row lock before it is applied one record at a time instead. */
  runLockTimeoutMs?: number;
  commitEvery?: number;
  maxUnknownAttempts?: number;
  onOutcome?: (outcome: Outcome, info: OutcomeInfo) => void;
  /** A batch applied in full: the partition's position is past `offset` (a record or a transaction marker). */
  onProgress?: (position: { topic: string; partition: number; offset: string }) => void;
}

export interface ConsumerRunner {
  start(): Promise<void>;
  /** Finishes the record in hand, commits, disconnects. */
  stop(): Promise<void>;
  /** Joined its group and consuming. */
  isRunning(): boolean;
}

class StopRequested extends Error {}

export function createConsumerRunner(options: ConsumerRunnerOptions): ConsumerRunner {
  const {
    kafka,
    pool,
    service,
    groupId = service,
    topics,
    handlers,
    logger = silentLogger,
    topicPrefix = '',
    numPartitions = 3,
    fromBeginning = true,
    runSize = 100,
    partitionsConcurrently = 3,
    runLockTimeoutMs = 100,
    commitEvery = 200,
    maxUnknownAttempts = 3,
    onOutcome,
    onProgress,
  } = options;
  const topicNames = topics.map((t) => topicPrefix + t.name);
  let consumer: Consumer | undefined;
  let dlqProducer: Producer | undefined;
  let stopping = false;
  let running = false;
  let restarting: Promise<void> | undefined; // a new consumer joining after kafkajs gave up on the last
  const backoffs = new Set<() => void>(); // one per partition in a back-off pause; stop wakes them

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        backoffs.delete(done);
        resolve();
      }
      backoffs.add(done);
    });

  /** Applies one record in its own transaction; returns what happened. Throws what went wrong. */
  async function apply(topic: string, partition: number, message: KafkaMessage): Promise<{ outcome: Outcome; type: string | null }> {
    const event = readRecord(topic, partition, message, topicPrefix);
    const handler = handlers[event.type] as EventHandler<EventType> | undefined;
    if (!handler) return { outcome: 'ignored', type: event.type };
    const applied = await withTransaction(pool, (tx) => applyIn(tx, event, handler));
    return { outcome: applied ? 'applied' : 'duplicate', type: event.type };
  }

  /** The inbox check and the handler, inside the caller's transaction. False for a duplicate. */
  async function applyIn(tx: PoolClient, event: AnyIncomingEvent, handler: EventHandler<EventType>): Promise<boolean> {
    if (!(await recordInInbox(tx, groupId, event))) return false;
    await handler(event, tx);
    return true;
  }

  /**
   * The fast path: a run of records in ONE transaction (one commit, one fsync, for all of them).
   * All or nothing: if any record fails, nothing of the run is kept and the caller applies the
   * records one by one, where each failure gets its own retry or dead letter.
   */
  async function applyRun(topic: string, partition: number, messages: KafkaMessage[]): Promise<boolean> {
    const started = Date.now();
    let outcomes: Array<{ outcome: Outcome; type: string; message: KafkaMessage }>;
    try {
      const events = messages.map((message) => ({ message, event: readRecord(topic, partition, message, topicPrefix) }));
      outcomes = await withTransaction(pool, async (tx) => {
        if (partitionsConcurrently > 1) await tx.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(runLockTimeoutMs))}`);
        // One inbox statement for the whole run: the ids recorded now are the ones to apply.
        const fresh = await recordRunInInbox(tx, groupId, events.filter(({ event }) => handlers[event.type]).map(({ event }) => event));
        const results = [];
        for (const { message, event } of events) {
          const handler = handlers[event.type] as EventHandler<EventType> | undefined;
          let outcome: Outcome = 'ignored';
          if (handler) {
            outcome = fresh.delete(event.eventId) ? 'applied' : 'duplicate'; // delete: an id twice in the run applies once
            if (outcome === 'applied') await handler(event, tx);
          }
          results.push({ outcome, type: event.type, message });
        }
        return results;
      });
    } catch {
      return false;
    }
    const ms = Date.now() - started;
    for (const { outcome, type, message } of outcomes) onOutcome?.(outcome, { topic, partition, offset: message.offset, type, ms });
    return true;
  }

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown): Promise<void> {
    const reason = reasonOf(error);
    logger.warn('record sent to the dead-letter topic', {
      topic,
      partition,
      offset: message.offset,
      correlationId: headerString(message.headers, Header.correlationId),
      reason,
      err: messageOf(error),
    });
    await dlqProducer!.send({
      topic: dlqTopicName(topic, service),
      acks: -1,
      messages: [deadLetterMessage({ topic, partition, message }, groupId, reason, messageOf(error))],
    });
  }

  async function handle(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      if (stopping) throw new StopRequested();
      try {
        const { outcome, type } = await apply(topic, partition, message);
        onOutcome?.(outcome, { topic, partition, offset: message.offset, type, ms: Date.now() - started });
        return;
      } catch (error) {
        const kind = classify(error);
        if (kind === 'retriable' || (kind === 'unknown' && attempt < maxUnknownAttempts)) {
          const delay = backoffMs(attempt);
          logger.warn('applying a record failed; retrying', {
            topic,
            partition,
            offset: message.offset,
            correlationId: headerString(message.headers, Header.correlationId),
            attempt,
            delayMs: delay,
            err: messageOf(error),
          });
          await pause(delay);
          await heartbeat();
          continue;
        }
        // Sending the dead letter may itself hit a broker hiccup: retry that, never skip the record.
        for (let dlqAttempt = 1; ; dlqAttempt++) {
          if (stopping) throw new StopRequested();
          try {
            await deadLetter(topic, partition, message, error);
            break;
          } catch (dlqError) {
            logger.warn('sending a dead letter failed; retrying', { topic, attempt: dlqAttempt, err: messageOf(dlqError) });
            await pause(backoffMs(dlqAttempt));
            await heartbeat();
          }
        }
        onOutcome?.('dead-lettered', {
          topic,
          partition,
          offset: message.offset,
          type: headerString(message.headers, Header.eventType),
          reason: reasonOf(error),
          ms: Date.now() - started,
        });
        return;
      }
    }
  }

  /** A consumer in the group, subscribed and running; on failure nothing of it is left connected. */
  async function joinGroup(): Promise<Consumer> {
    // A member that dies without leaving is noticed after the session timeout; 10 s (kafkajs: 30 s)
    // hands its partitions to the others sooner. Heartbeats go every 3 s and between runs.
    const c = kafka.consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 3_000 });
    c.on(c.events.GROUP_JOIN, () => {
      running = true;
    });
    c.on(c.events.CRASH, ({ payload }) => {
      running = false;
      if (payload.restart) {
        logger.warn('the consumer lost the broker; kafkajs restarts it', { err: messageOf(payload.error), groupId });
      } else {
        // kafkajs gives up on errors it does not deem retriable: this consumer is done. Start a new one.
        logger.error('the consumer stopped on an error; starting a new one', { err: messageOf(payload.error), groupId });
        if (c === consumer && !stopping) restarting = rejoin(c);
      }
    });
    c.on(c.events.STOP, () => {
      running = false;
    });
    // A fetch that held only transaction markers (or aborted records) never reaches eachBatch:
    // kafkajs moves past it in memory; commit that, so the group's position reaches the end.
    c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || stopping) return;
      const { topic, partition, lastOffset } = payload;
      c.commitOffsets([{ topic, partition, offset: (BigInt(lastOffset) + 1n).toString() }]).then(
        () => onProgress?.({ topic, partition, offset: lastOffset }),
        (error: unknown) => logger.debug('offset commit past transaction markers failed', { err: messageOf(error) }),
      );
    });
    try {
      await c.connect();
      await c.subscribe({ topics: topicNames, fromBeginning });
      await c.run({
        partitionsConsumedConcurrently: partitionsConcurrently,
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => applyBatch(c, payload),
      });
    } catch (error) {
      await c.disconnect().catch(() => undefined);
      throw error;
    }
    return c;
  }

  /** Replaces a consumer that kafkajs gave up on, trying with back-off until it joins or the runner stops. */
  async function rejoin(old: Consumer): Promise<void> {
    await old.disconnect().catch(() => undefined);
    for (let attempt = 1; !stopping; attempt++) {
      try {
        consumer = await joinGroup();
        return;
      } catch (error) {
        const delayMs = backoffMs(attempt, 500, 10_000);
        logger.warn('the consumer could not rejoin its group; retrying', { err: messageOf(error), groupId, attempt, delayMs });
        await pause(delayMs);
      }
    }
  }

  /** One batch of one partition: runs of records, each applied exactly once in effect, offsets committed as they are done. */
  async function applyBatch(c: Consumer, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    let done: string | undefined;
    let sinceCommit = 0;
    const commit = async () => {
      if (done === undefined) return;
      await c.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(done) + 1n).toString() }]);
      sinceCommit = 0;
    };
    try {
      for (let i = 0; i < batch.messages.length && !stopping && isRunning() && !isStale(); i += runSize) {
        const run = batch.messages.slice(i, i + runSize);
        if (run.length === 1 || !(await applyRun(batch.topic, batch.partition, run))) {
          for (const message of run) await handle(batch.topic, batch.partition, message, heartbeat);
        }
        const last = run[run.length - 1]!.offset;
        resolveOffset(last);
        done = last;
        if ((sinceCommit += run.length) >= commitEvery) await commit();
        await heartbeat();
      }
      // All of it applied: the position moves past the batch's last offset, which may be a
      // transaction's commit marker (the relays publish in transactions) that no consumer is handed.
      // Otherwise the committed offset would stop one short of the end, and lag never read 0.
      if (done !== undefined && done === batch.messages.at(-1)?.offset && !stopping) {
        done = batch.lastOffset();
        resolveOffset(done);
        onProgress?.({ topic: batch.topic, partition: batch.partition, offset: done });
      }
    } catch (error) {
      if (!(error instanceof StopRequested)) throw error;
    } finally {
      // Commit what was applied, also when stopping mid-batch or on the way to a crash.
      await commit().catch((error: unknown) => logger.warn('offset commit failed', { err: messageOf(error) }));
    }
  }

  return {
    async start() {
      stopping = false;
      await ensureTopics(kafka, [...topicNames, ...topicNames.map((t) => dlqTopicName(t, service))], numPartitions);
      const producer = createIdempotentProducer(kafka);
      await producer.connect();
      dlqProducer = producer;
      try {
        consumer = await joinGroup();
      } catch (error) {
        // Nothing half-started stays behind: start() may be tried again (start-up waits for Kafka).
        dlqProducer = undefined;
        await producer.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async stop() {
      stopping = true;
      for (const wake of [...backoffs]) wake();
      await restarting;
      // kafkajs waits for the batch in hand (which stops after the record in hand) before it leaves.
      await consumer?.disconnect();
      await dlqProducer?.disconnect();
      consumer = undefined;
      dlqProducer = undefined;
      running = false;
    },
    isRunning: () => running && !stopping,
  };
}
