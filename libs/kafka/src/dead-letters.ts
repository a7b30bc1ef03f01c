/**
 * The operator's view of the dead-letter topics (`<topic>.dlq.<service>`, see dead-letter.ts):
 * which hold records, each record decoded where it can be, and a replay of records to the topic
 * they came from once the cause is fixed.
 *
 * A replay writes the record as it was first written: the same key, value and envelope headers
 * (event-id included), without the dlq-* headers. The consumers' inboxes therefore absorb it if it
 * was applied after all (the event id is known), and the topic's single writer is still its
 * producer, so the envelope checks pass as they would have the first time. A replay does not
 * remove the record from the dead-letter topic: a log is never edited, and `show` keeps telling
 * what happened.
 */
import type { KafkaMessage } from 'kafkajs';
import { decodeEvent, EventDecodeError } from '@webshop/events';
import { DlqHeader } from './dead-letter';
import { headerString } from './envelope';
import { kafkajsOf, createIdempotentProducer, type KafkaClient } from './kafka-client';

export const isDeadLetterTopic = (topic: string): boolean => /\.dlq\.[a-z]+$/.test(topic);

export interface DeadLetterTopic {
  topic: string;
  /** Records in it now (its partitions' end minus start). */
  records: number;
}

/** The dead-letter topics (under `topicPrefix`) and how many records each holds, by name. */
export async function listDeadLetterTopics(kafka: KafkaClient, topicPrefix = ''): Promise<DeadLetterTopic[]> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix) && isDeadLetterTopic(t.slice(topicPrefix.length))).sort();
    const result: DeadLetterTopic[] = [];
    for (const topic of names) {
      const offsets = await admin.fetchTopicOffsets(topic);
      result.push({ topic, records: offsets.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0) });
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

export interface DeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  reason: string | null;
  error: string | null;
  consumer: string | null;
  source: { topic: string | null; partition: number | null; offset: string | null };
  failedAt: string | null;
  /** The original envelope headers (dlq-* left out). */
  headers: Record<string, string>;
  /** The event, when the value decodes; otherwise why not, and the first bytes. */
  event: { type: string; version: number; data: unknown } | null;
  undecodable: { reason: string; message: string; head: string } | null;
}

function headersOf(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(message.headers ?? {})) {
    const value = headerString(message.headers, name);
    if (value !== null) out[name] = value;
  }
  return out;
}

function describe(partition: number, message: KafkaMessage): DeadLetter {
  const all = headersOf(message);
  const headers = Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith('dlq-')));
  let event: DeadLetter['event'] = null;
  let undecodable: DeadLetter['undecodable'] = null;
  const value = message.value ?? Buffer.alloc(0);
  try {
    const decoded = decodeEvent(value);
    event = { type: decoded.type, version: decoded.version, data: decoded.data };
  } catch (error) {
    const reason = error instanceof EventDecodeError ? error.reason : 'undecodable';
    undecodable = { reason, message: error instanceof Error ? error.message : String(error), head: value.subarray(0, 32).toString('hex') };
  }
  const sourcePartition = all[DlqHeader.sourcePartition];
  return {
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    reason: all[DlqHeader.reason] ?? null,
    error: all[DlqHeader.error] ?? null,
    consumer: all[DlqHeader.consumer] ?? null,
    source: {
      topic: all[DlqHeader.sourceTopic] ?? null,
      partition: sourcePartition === undefined ? null : Number(sourcePartition),
      offset: all[DlqHeader.sourceOffset] ?? null,
    },
    failedAt: all[DlqHeader.failedAt] ?? null,
    headers,
    event,
    undecodable,
  };
}

/**
 * Every record of `topic` as it stands now (up to the end its partitions had when the read began),
 * in partition and offset order, with the raw message for a replay. Reads in a consumer group of its
 * own, deleted afterwards.
 */
async function readAll(kafka: KafkaClient, topic: string, timeoutMs: number): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const remaining = new Map<number, bigint>();
    for (const p of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high) - 1n);
    }
    const records: Array<{ partition: number; message: KafkaMessage }> = [];
    if (remaining.size === 0) return records;
    const groupId = `dlq-reader.${process.pid}.${Date.now()}`;
    const consumer = kafkajsOf(kafka).consumer({ groupId });
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    await consumer.connect();
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          const last = remaining.get(partition);
          if (last === undefined || BigInt(message.offset) > last) return;
          records.push({ partition, message });
          if (BigInt(message.offset) === last) remaining.delete(partition);
          if (remaining.size === 0) finish();
        },
      });
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`could not read ${topic} to its end within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
    return records.sort((a, b) => a.partition - b.partition || (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1));
  } finally {
    await admin.disconnect();
  }
}

export interface ReadOptions {
  /** Only the record at this offset (of `partition`, or of any partition). */
  offset?: string;
  partition?: number;
  timeoutMs?: number;
}

const selected = ({ offset, partition }: ReadOptions) => (r: { partition: number; message: KafkaMessage }) =>
  (offset === undefined || r.message.offset === offset) && (partition === undefined || r.partition === partition);

/** The records of a dead-letter topic, decoded where they can be. */
export async function readDeadLetters(kafka: KafkaClient, topic: string, options: ReadOptions = {}): Promise<DeadLetter[]> {
  const records = await readAll(kafka, topic, options.timeoutMs ?? 30_000);
  return records.filter(selected(options)).map((r) => describe(r.partition, r.message));
}

export interface Replayed {
  from: { partition: number; offset: string };
  to: { topic: string; partition: number; offset: string };
}

/**
 * Writes the selected records of a dead-letter topic back to the topics they came from (their
 * `dlq-source-topic`), as they were first written. Refuses a record that does not say where it
 * came from, and a topic that is not a dead-letter topic.
 */
export async function replayDeadLetters(kafka: KafkaClient, topic: string, options: ReadOptions = {}): Promise<Replayed[]> {
  if (!isDeadLetterTopic(topic)) throw new Error(`${topic} is not a dead-letter topic (<topic>.dlq.<service>)`);
  const records = (await readAll(kafka, topic, options.timeoutMs ?? 30_000)).filter(selected(options));
  if (records.length === 0) return [];
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    const replayed: Replayed[] = [];
    for (const { partition, message } of records) {
      const letter = describe(partition, message);
      const target = letter.source.topic;
      if (!target) throw new Error(`${topic} ${partition}/${message.offset} does not say where it came from (no ${DlqHeader.sourceTopic} header)`);
      const [ack] = await producer.send({
        topic: target,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers: letter.headers }],
      });
      replayed.push({ from: { partition, offset: message.offset }, to: { topic: target, partition: ack!.partition, offset: ack!.baseOffset ?? '?' } });
    }
    return replayed;
  } finally {
    await producer.disconnect();
  }
}
