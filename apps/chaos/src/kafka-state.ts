/**
 * What the topics say: the lag of every consumer group on every topic it reads, and every record
 * in the dead-letter topics (`<prefix><topic>.dlq.<service>`) with its reason.
 */
import { randomUUID } from 'node:crypto';
import { createAdmin, DlqHeader, headerString, Header, startReader, type KafkaClient } from '@webshop/kafka';
import { topics, type ServiceName } from '@webshop/events';
import type { KafkaAccess } from '@webshop/testing';
import { TOPIC_PREFIX } from './supervisor';

/** Which topics each service reads (each app's adapters/kafka/handlers.ts, consumedTopics). */
export const consumedTopics: Record<ServiceName, string[]> = {
  orders: [topics.orders.name, topics.payments.name, topics.stock.name, topics.products.name, topics.shipments.name, topics.emails.name],
  payment: [topics.orders.name],
  stock: [topics.orders.name],
  shipping: [topics.orders.name],
  email: [topics.orders.name, topics.shipments.name],
};

/** The header the chaos tool puts on each poison record it writes, so a dead letter can be told apart. */
export const POISON_HEADER = 'chaos-poison';

export interface DeadLetter {
  topic: string;
  consumer: string;
  reason: string;
  error: string;
  poisonId: string | null;
  eventType: string | null;
  eventId: string | null;
}

/** The operator's client: the checker reads every topic, the poison plant writes where no service may. */
export const chaosKafka = (broker: KafkaAccess): KafkaClient => broker.admin(`chaos-${randomUUID().slice(0, 8)}`);

/**
 * Lag per `group → topic`: the sum over partitions of (high watermark − committed offset). The
 * relays publish in Kafka transactions, so a partition ends in a commit marker; the consumers move
 * their position past it (commit f6ea531), so a group that read everything has committed `high`.
 */
export async function consumerLag(kafka: KafkaClient): Promise<Record<string, number>> {
  const admin = createAdmin(kafka);
  await admin.connect();
  try {
    const lag: Record<string, number> = {};
    const existing = new Set(await admin.listTopics());
    for (const [service, names] of Object.entries(consumedTopics)) {
      const groupId = `${TOPIC_PREFIX}${service}`;
      const wanted = names.map((n) => TOPIC_PREFIX + n).filter((t) => existing.has(t));
      const committed = await admin.fetchOffsets({ groupId, topics: wanted });
      for (const { topic, partitions } of committed) {
        const high = await admin.fetchTopicOffsets(topic);
        let sum = 0;
        for (const p of high) {
          const c = partitions.find((x) => x.partition === p.partition);
          const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(p.low);
          sum += Math.max(0, Number(p.high) - at);
        }
        lag[`${groupId} ${topic}`] = sum;
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/** Every record of every dead-letter topic, read from the beginning to the high watermark. */
export async function deadLetters(kafka: KafkaClient): Promise<DeadLetter[]> {
  const admin = createAdmin(kafka);
  await admin.connect();
  let dlqTopics: string[];
  const expected = new Map<string, number>();
  try {
    dlqTopics = (await admin.listTopics()).filter((t) => t.startsWith(TOPIC_PREFIX) && t.includes('.dlq.'));
    for (const t of dlqTopics) {
      const offsets = await admin.fetchTopicOffsets(t);
      expected.set(t, offsets.reduce((a, p) => a + Number(p.high) - Number(p.low), 0));
    }
  } finally {
    await admin.disconnect();
  }
  const total = [...expected.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const found: DeadLetter[] = [];
  let readAll!: () => void;
  const all = new Promise<void>((resolve) => (readAll = resolve));
  const topicsToRead = dlqTopics.filter((t) => expected.get(t)! > 0);
  const reader = await startReader(kafka, { groupId: `chaos-reader-${randomUUID()}`, topics: topicsToRead }, (message, { topic }) => {
    const h = message.headers ?? {};
    found.push({
      topic,
      consumer: topic.slice(topic.lastIndexOf('.dlq.') + 5),
      reason: headerString(h, DlqHeader.reason) ?? '',
      error: headerString(h, DlqHeader.error) ?? '',
      poisonId: headerString(h, POISON_HEADER),
      eventType: headerString(h, Header.eventType),
      eventId: headerString(h, Header.eventId),
    });
    if (found.length >= total) readAll();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${found.length} of ${total} dead letters in 60 s`)), 60_000);
      void all.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    await reader.stop();
  }
  return found;
}
