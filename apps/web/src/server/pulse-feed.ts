/**
 * The pulse's consumer: one more consumer group (`<TOPIC_PREFIX>web`) on every topic of the
 * registry, decoding each record with the same reader the services use (libs/kafka's readRecord,
 * libs/events' codec), into the pulse's read model. It only reads: it writes to no topic and
 * creates none (it waits until the services have created them).
 *
 * The read model lives in memory, so the feed commits no offsets: every start reads the topics from
 * the beginning again and so rebuilds it. The broker going away only makes it wait and retry
 * (the client reconnects; a reader it gave up on is replaced with back-off); `ready()` says why not.
 */
import { createBackoff, sleep } from '@webshop/background';
import { topics } from '@webshop/events';
import { createAdmin, createKafka, readRecord, startReader, type ConsumedRecord, type KafkaCredentials, type PlumbingLogger, type RecordReader } from '@webshop/kafka';
import type { PulseModel } from './pulse-model';

export interface PulseFeedOptions {
  brokers: string[];
  /** The web front end's principal (`web`: read-only) on a broker with SASL. */
  credentials?: KafkaCredentials;
  topicPrefix: string;
  model: PulseModel;
  logger: PlumbingLogger;
}

export interface PulseFeed {
  /** Throws with the reason while the consumer is not in its group. */
  ready(): void;
  stop(): Promise<void>;
}

export function startPulseFeed({ brokers, credentials, topicPrefix, model, logger }: PulseFeedOptions): PulseFeed {
  const kafka = createKafka({ clientId: `${topicPrefix}web`, brokers, logger, credentials });
  const names = Object.values(topics).map((t) => topicPrefix + t.name);
  let reader: RecordReader | undefined;
  let state = 'starting: joining the consumer group';
  const stopping = new AbortController();
  const backoff = createBackoff({ initialMs: 500, maxMs: 10_000 });

  const retry = (why: string) => {
    if (stopping.signal.aborted) return;
    state = `waiting for kafka (${why})`;
    const wait = backoff.next();
    logger.warn('pulse consumer: retrying', { why, waitMs: wait });
    void sleep(wait, stopping.signal).then(() => stopping.signal.aborted || void start());
  };

  const onRecord = (record: ConsumedRecord, { topic, partition }: { topic: string; partition: number }) => {
    try {
      const event = readRecord(topic, partition, record, topicPrefix);
      model.add({
        eventId: event.eventId,
        type: event.type,
        topic: topic.slice(topicPrefix.length),
        partition,
        offset: record.offset,
        occurredAt: event.occurredAt,
        producer: event.producer,
        key: event.correlationId,
        causationId: event.causationId,
        data: event.data,
      });
    } catch (error) {
      // A record the services dead-letter: the pulse shows what the services will (their dead-letter counts).
      logger.warn('pulse consumer: a record that is no valid event', { topic, partition, offset: record.offset, reason: (error as { reason?: string }).reason ?? String(error) });
    }
  };

  async function start(): Promise<void> {
    const admin = createAdmin(kafka);
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = names.filter((n) => !existing.has(n));
      if (missing.length > 0) throw new Error(`topics not created yet by the services: ${missing.join(', ')}`);
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      return retry(error instanceof Error ? error.message : String(error));
    }
    await admin.disconnect().catch(() => undefined);

    let current: RecordReader | undefined;
    try {
      current = await startReader(
        kafka,
        {
          groupId: `${topicPrefix}web`,
          topics: names,
          commit: 'none',
          sessionTimeoutMs: 10_000,
          onJoin: () => {
            backoff.reset();
            state = 'ready';
          },
          onGiveUp: (error) => {
            if (reader === current) reader = undefined;
            retry(error.message);
          },
        },
        onRecord,
      );
      reader = current;
      if (stopping.signal.aborted) await current.stop().catch(() => undefined);
    } catch (error) {
      retry(error instanceof Error ? error.message : String(error));
    }
  }
  void start();

  return {
    ready() {
      if (state !== 'ready') throw new Error(state);
    },
    async stop() {
      stopping.abort();
      await reader?.stop().catch(() => undefined);
    },
  };
}
