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
 *
 * The parts, one job each (consumer/):
 *   apply-record.ts          one record in its own transaction, with its inbox row
 *   apply-run.ts             a run of records in one transaction, with the run's lock timeout
 *   retry-or-dead-letter.ts  one record until done: retry with back-off, or the dead-letter topic
 *   dead-letter-sender.ts    the dead letters' producer
 *   apply-batch.ts           a partition's batch: runs, the one-by-one fallback, offsets and commits
 *   consumer-group.ts        the kafkajs consumer: join, rejoin after a crash, markers, leave
 *   stop-signal.ts           the stop flag and the back-off pauses it ends
 */

import { dlqTopicName, type ServiceName } from '@webshop/events';
import type { Pool } from '@webshop/postgres';
import { ensureTopics, silentLogger, type PlumbingLogger, type KafkaClient } from './kafka-client';
import { createBatchApplier } from './consumer/apply-batch';
import { applyRecord, type ApplyContext } from './consumer/apply-record';
import { applyRun } from './consumer/apply-run';
import { createConsumerGroup } from './consumer/consumer-group';
import { createDeadLetterSender } from './consumer/dead-letter-sender';
import { createRetryOrDeadLetter } from './consumer/retry-or-dead-letter';
import { createStopSignal } from './consumer/stop-signal';
import type { EventHandlers, Outcome, ReportOutcome, ReportProgress } from './consumer/types';

/** The debug line for each record's outcome (a dead letter has its warning already, dead-letter-sender.ts). */
const outcomeMessages: Record<Exclude<Outcome, 'dead-lettered'>, string> = {
  applied: 'event applied',
  duplicate: 'event skipped: applied before (inbox)',
  ignored: 'event skipped: no handler for its type',
};

export type { EventHandler, EventHandlers, Outcome, OutcomeInfo } from './consumer/types';

export interface ConsumerRunnerOptions {
  kafka: KafkaClient;
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
  onOutcome?: ReportOutcome;
  onProgress?: ReportProgress;
}

export interface ConsumerRunner {
  /** Joined its group and consuming. */
  isRunning(): boolean;
  /** Creates its topics (and their dead-letter topics), joins the group; may be tried again after a failure. */
  start(): Promise<void>;
  /** Finishes the record in hand, commits, disconnects. */
  stop(): Promise<void>;
}

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
    onProgress,
  } = options;
  const onOutcome: ReportOutcome = (outcome, info) => {
    if (outcome !== 'dead-lettered') {
      const { event, topic, partition, offset, ms } = info;
      logger.debug(outcomeMessages[outcome], { ...event, topic, partition, offset, ms: Math.round(ms * 100) / 100 });
    }
    options.onOutcome?.(outcome, info);
  };
  const topicNames = topics.map((t) => topicPrefix + t.name);
  const stop = createStopSignal();
  const deadLetters = createDeadLetterSender({ kafka, service, groupId, logger });
  const ctx: ApplyContext = { pool, groupId, handlers, topicPrefix };
  // One partition at a time cannot contend with itself: its runs wait for locks like any transaction.
  const lockTimeoutMs = partitionsConcurrently > 1 ? runLockTimeoutMs : undefined;
  const applyBatch = createBatchApplier({
    runSize,
    commitEvery,
    applyRun: (source, messages) => applyRun({ ...ctx, lockTimeoutMs }, source, messages),
    handleRecord: createRetryOrDeadLetter({
      apply: (source, message) => applyRecord(ctx, source, message),
      deadLetters,
      stop,
      maxUnknownAttempts,
      logger,
      onOutcome,
    }),
    stop,
    logger,
    onOutcome,
    onProgress,
  });
  const group = createConsumerGroup({
    kafka,
    groupId,
    topics: topicNames,
    fromBeginning,
    partitionsConcurrently,
    eachBatch: applyBatch,
    stop,
    logger,
    onProgress,
  });

  return {
    async start() {
      stop.reset();
      await ensureTopics(kafka, [...topicNames, ...topicNames.map((t) => dlqTopicName(t, service))], numPartitions);
      await deadLetters.connect();
      try {
        await group.join();
      } catch (error) {
        // Nothing half-started stays behind: start() may be tried again (start-up waits for Kafka).
        await deadLetters.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async stop() {
      stop.request();
      await group.leave();
      await deadLetters.disconnect();
    },
    isRunning: () => group.isRunning() && !stop.requested,
  };
}
