/**
 * Rebuilds a projection from the log: runs `handlers` over every record of `topics` from the
 * beginning, in a consumer group of its own, until it has reached the end the topics had when the
 * replay began; then leaves and deletes that group. The caller points it at empty projection
 * tables (a fresh database, or truncated tables with the service stopped).
 */

import type { ServiceName } from '@webshop/events';
import type { Pool } from '@webshop/postgres';
import { createConsumerRunner, type EventHandlers } from './consumer-runner';
import { kafkajsOf, silentLogger, type PlumbingLogger, type KafkaClient } from './kafka-client';

export interface ReplayOptions {
  kafka: KafkaClient;
  pool: Pool;
  service: ServiceName;
  topics: ReadonlyArray<{ name: string }>;
  handlers: EventHandlers;
  topicPrefix?: string;
  logger?: PlumbingLogger;
  timeoutMs?: number;
}

export async function replayTopics(options: ReplayOptions): Promise<{ records: number; ms: number; groupId: string }> {
  const { kafka, pool, service, topics, handlers, topicPrefix = '', logger = silentLogger, timeoutMs = 10 * 60_000 } = options;
  const started = Date.now();
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    // Where each partition ends now: the replay is done when it has handled the record before it.
    const remaining = new Map<string, bigint>();
    for (const { name } of topics) {
      const topic = topicPrefix + name;
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}/${p.partition}`, BigInt(p.high) - 1n);
      }
    }
    const groupId = `${topicPrefix}${service}.replay.${Date.now()}`;
    let records = 0;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const runner = createConsumerRunner({
      kafka,
      pool,
      service,
      groupId,
      topics,
      topicPrefix,
      handlers,
      logger,
      fromBeginning: true,
      onOutcome: () => {
        records += 1;
      },
      // Done with a partition once past the end it had when the replay began: its last offset may
      // be a transaction marker, which no handler sees, so positions count, not records.
      onProgress: ({ topic, partition, offset }) => {
        const key = `${topic}/${partition}`;
        const last = remaining.get(key);
        if (last !== undefined && BigInt(offset) >= last) remaining.delete(key);
        if (remaining.size === 0) finish();
      },
    });
    if (remaining.size === 0) finish();
    await runner.start();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`replay did not reach the end of ${[...remaining.keys()].join(', ')} in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await runner.stop();
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    return { records, ms: Date.now() - started, groupId };
  } finally {
    await admin.disconnect();
  }
}
