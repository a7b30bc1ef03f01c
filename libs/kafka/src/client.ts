/**
 * The Kafka client as the rest of the workspace sees it. Only libs/kafka imports kafkajs: services,
 * tests and tools hold a `KafkaClient` (made by `createKafka`, or `createQuietKafka` for tests and
 * tools), hand it to this lib's functions, and use the small interfaces below for what they do
 * themselves (look at offsets, send a few records, read a topic), so a change of client library
 * touches this lib alone.
 *
 * Limit: `KafkaClient` is still kafkajs' own type, so code outside could call its methods; it should
 * not. libs/kafka's own tests do, on purpose: they test this lib against kafkajs.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { createIdempotentProducer } from './kafka-client';

/** A connection factory to one cluster: consumers, producers and admin clients are made from it by this lib. */
export type KafkaClient = Kafka;

/** Record headers as read: a value may be a string or bytes, or several of them. */
export interface RecordHeaders {
  [name: string]: Buffer | string | Array<Buffer | string> | undefined;
}

/** A record as read from a topic. */
export interface ConsumedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeaders;
  offset: string;
  timestamp: string;
}

/** A record to send; without `partition` its key decides (murmur2, as the Java client does). */
export interface RecordToSend {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
  partition?: number;
}

/** The cluster operations callers outside this lib need: readiness, lag, what topics exist. */
export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  describeCluster(): Promise<{ brokers: Array<{ nodeId: number; host: string; port: number }>; controller: number | null; clusterId: string }>;
  listTopics(): Promise<string[]>;
  /** Per partition: `low` the first offset kept, `high` the end (the next offset to be written). */
  fetchTopicOffsets(topic: string): Promise<Array<{ partition: number; offset: string; high: string; low: string }>>;
  /** The group's committed offsets ("-1" where it committed none). */
  fetchOffsets(options: { groupId: string; topics: string[] }): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

/** An admin client, not connected yet (connect it, e.g. as a start-up step that is retried). */
export function createAdmin(client: KafkaClient): KafkaAdmin {
  return client.admin();
}

/** kafkajs' own retry defaults and nothing logged: for tests and tools, whose clients should not chatter. */
export function createQuietKafka({ clientId, brokers }: { clientId: string; brokers: string[] }): KafkaClient {
  if (brokers.length === 0) throw new Error('createQuietKafka: at least one broker address is required');
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });
}

/** Sends records with acks=all; for tests and tools (services publish through the outbox relay). */
export interface RecordProducer {
  send(topic: string, records: readonly RecordToSend[]): Promise<void>;
  /** Records of several topics in one request. */
  sendBatch(batches: ReadonlyArray<{ topic: string; records: readonly RecordToSend[] }>): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * A connected producer. Idempotent by default, as every writer of the shop's is
 * (`createIdempotentProducer`); `idempotent: false` is a plain producer, as a stranger's would be.
 */
export async function connectProducer(client: KafkaClient, { idempotent = true }: { idempotent?: boolean } = {}): Promise<RecordProducer> {
  const producer = idempotent ? createIdempotentProducer(client) : client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const messages = (records: readonly RecordToSend[]) => records.map((r) => ({ ...r }));
  return {
    async send(topic, records) {
      await producer.send({ topic, acks: -1, messages: messages(records) });
    },
    async sendBatch(batches) {
      await producer.sendBatch({ acks: -1, topicMessages: batches.map(({ topic, records }) => ({ topic, messages: messages(records) })) });
    },
    disconnect: () => producer.disconnect(),
  };
}

export interface RecordReader {
  stop(): Promise<void>;
}

export interface RecordReaderOptions {
  groupId: string;
  topics: readonly string[];
  /** Commit each record's offset once `onRecord` is done with it (default: kafkajs' periodic auto-commit). */
  commitEach?: boolean;
}

/**
 * Reads `topics` from the beginning in group `groupId`, handing every record to `onRecord` in
 * partition order, until `stop`. Resolves once the reader runs. The topics must have leaders
 * (`ensureTopics`), or subscribing can fail.
 */
export async function startReader(
  client: KafkaClient,
  { groupId, topics, commitEach = false }: RecordReaderOptions,
  onRecord: (record: ConsumedRecord, source: { topic: string; partition: number }) => void | Promise<void>,
): Promise<RecordReader> {
  const consumer = client.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: !commitEach,
      eachMessage: async ({ topic, partition, message }) => {
        await onRecord(message, { topic, partition });
        if (commitEach) await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return { stop: () => consumer.disconnect() };
}
