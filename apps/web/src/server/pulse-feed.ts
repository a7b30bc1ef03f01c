/**
 * The pulse's consumer: one more consumer group (`<TOPIC_PREFIX>web`) on every topic of the
 * registry, decoding each record with the same reader the services use (libs/kafka's readRecord,
 * libs/events' codec), into the pulse's read model. It only reads: it writes to no topic and
 * creates none (it waits until the services have created them).
 *
 * The read model lives in memory, so the feed commits no offsets: every start reads the topics from
 * the beginning again and so rebuilds it. The broker going away only makes it wait and retry
 * (kafkajs reconnects; a consumer it gave up on is replaced with back-off); `ready()` says why not.
 */
import { createBackoff, sleep } from '@webshop/background';
import { topics } from '@webshop/events';
import { createKafka, readRecord, type KafkaClient, type PlumbingLogger } from '@webshop/kafka';
import type { PulseModel } from './pulse-model';

export interface PulseFeedOptions {
  brokers: string[];
  topicPrefix: string;
  model: PulseModel;
  logger: PlumbingLogger;
}

export interface PulseFeed {
  /** Throws with the reason while the consumer is not in its group. */
  ready(): void;
  stop(): Promise<void>;
}

export function startPulseFeed({ brokers, topicPrefix, model, logger }: PulseFeedOptions): PulseFeed {
  const kafka = createKafka({ clientId: `${topicPrefix}web`, brokers, logger });
  const names = Object.values(topics).map((t) => topicPrefix + t.name);
  let consumer: ReturnType<KafkaClient['consumer']> | undefined;
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

  async function start(): Promise<void> {
    const admin = kafka.admin();
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

    const current = kafka.consumer({ groupId: `${topicPrefix}web`, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 3_000 });
    consumer = current;
    current.on(current.events.GROUP_JOIN, () => {
      backoff.reset();
      state = 'ready';
    });
    current.on(current.events.CRASH, ({ payload }) => {
      if (payload.restart) return; // kafkajs restarts it itself
      if (consumer === current) consumer = undefined;
      void current.disconnect().catch(() => undefined);
      retry(payload.error.message);
    });
    try {
      await current.connect();
      await current.subscribe({ topics: names, fromBeginning: true });
      await current.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          try {
            const event = readRecord(topic, partition, message, topicPrefix);
            model.add({
              eventId: event.eventId,
              type: event.type,
              topic: topic.slice(topicPrefix.length),
              partition,
              offset: message.offset,
              occurredAt: event.occurredAt,
              producer: event.producer,
              key: event.correlationId,
              causationId: event.causationId,
              data: event.data,
            });
          } catch (error) {
            // A record the services dead-letter: the pulse shows what the services will (their dead-letter counts).
            logger.warn('pulse consumer: a record that is no valid event', { topic, partition, offset: message.offset, reason: (error as { reason?: string }).reason ?? String(error) });
          }
        },
      });
    } catch (error) {
      if (consumer === current) consumer = undefined;
      await current.disconnect().catch(() => undefined);
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
      await consumer?.disconnect().catch(() => undefined);
    },
  };
}
