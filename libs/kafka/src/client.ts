/**
 * The Kafka client as the rest of the workspace sees it. Only libs/kafka imports kafkajs: services,
 * tests and tools hold an opaque `KafkaClient` (made by `createKafka`, or `createQuietKafka` for
 * tests and tools), hand it to this lib's functions, and use the small interfaces below for what
 * they do themselves (look at offsets and groups, send a few records, read a topic), so a change of
 * client library touches this lib alone. libs/kafka's own tests reach kafkajs (`kafkajsOf`) on
 * purpose: they test this lib against it.
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { asKafkaClient, createIdempotentProducer, kafkajsOf, saslOption, type KafkaClient, type KafkaCredentials } from './kafka-client';

export type { KafkaClient };

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
  headers?: RecordHeaders;
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
  /** Each group's members (none: no instance is running in it). */
  describeGroups(groupIds: string[]): Promise<{ groups: Array<{ groupId: string; state: string; members: Array<{ memberId: string; clientId: string }> }> }>;
  /** Per topic, its partitions' leader, replicas and in-sync replicas (node ids). */
  fetchTopicMetadata(options: { topics: string[] }): Promise<{ topics: Array<{ name: string; partitions: Array<{ partitionId: number; leader: number; replicas: number[]; isr: number[] }> }> }>;
}

/** An admin client, not connected yet (connect it, e.g. as a start-up step that is retried). */
export function createAdmin(client: KafkaClient): KafkaAdmin {
  return kafkajsOf(client).admin();
}

/** kafkajs' own retry defaults and nothing logged: for tests and tools, whose clients should not chatter. */
export function createQuietKafka({ clientId, brokers, credentials }: { clientId: string; brokers: string[]; credentials?: KafkaCredentials }): KafkaClient {
  if (brokers.length === 0) throw new Error('createQuietKafka: at least one broker address is required');
  return asKafkaClient(new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, ...saslOption(credentials) }));
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
  const producer = idempotent ? createIdempotentProducer(client) : kafkajsOf(client).producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // Only the record's own fields (a caller may hand over a richer object, such as an EncodedRecord).
  const messages = (records: readonly RecordToSend[]) =>
    records.map(({ key, value, headers, partition }) => ({ key, value, ...(headers ? { headers } : {}), ...(partition === undefined ? {} : { partition }) }));
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
  /**
   * When offsets are committed: `auto` kafkajs' periodic auto-commit (the default), `each` every
   * record's once `onRecord` is done with it, `none` never (a reader that rebuilds an in-memory view
   * from the beginning on every start).
   */
  commit?: 'auto' | 'each' | 'none';
  /** How long the group waits for a silent member before it hands its partitions on (default 30 s). */
  sessionTimeoutMs?: number;
  /** Called each time the reader has joined its group (and so has partitions to read). */
  onJoin?: () => void;
  /**
   * Called when the client gave up on the reader after a failure it does not retry by itself (it
   * retries the rest: a broker that goes away, a rebalance); the reader is stopped by then and a new
   * one may be started. Without it such a failure only stops the reader.
   */
  onGiveUp?: (error: Error) => void;
}

/**
 * Reads `topics` from the beginning in group `groupId`, handing every record to `onRecord` in
 * partition order, until `stop`. Resolves once the reader runs. The topics must exist with leaders
 * (`ensureTopics`): a reader creates none.
 */
export async function startReader(
  client: KafkaClient,
  { groupId, topics, commit = 'auto', sessionTimeoutMs, onJoin, onGiveUp }: RecordReaderOptions,
  onRecord: (record: ConsumedRecord, source: { topic: string; partition: number }) => void | Promise<void>,
): Promise<RecordReader> {
  const consumer = kafkajsOf(client).consumer({
    groupId,
    allowAutoTopicCreation: false,
    ...(sessionTimeoutMs ? { sessionTimeout: sessionTimeoutMs, heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeoutMs / 3)) } : {}),
  });
  if (onJoin) consumer.on(consumer.events.GROUP_JOIN, () => onJoin());
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) return; // kafkajs starts the consumer again by itself
    void consumer.disconnect().catch(() => undefined);
    onGiveUp?.(payload.error);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: commit === 'auto',
      eachMessage: async ({ topic, partition, message }) => {
        await onRecord(message, { topic, partition });
        if (commit === 'each') await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      },
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  return { stop: () => consumer.disconnect() };
}
