import { readFileSync } from 'node:fs';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { sleep } from '@webshop/background';
import { kafkajsLogCreator } from './kafkajs-log';

/** The subset of a structured logger the plumbing needs. */
export interface PlumbingLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ignore = (): void => undefined;
export const silentLogger: PlumbingLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

declare const opaque: unique symbol;

/**
 * A connection factory to one cluster, opaque outside this lib: consumers, producers and admin
 * clients are made from it by this lib's functions only, so a change of client library touches
 * libs/kafka alone. Made by `createKafka` (services) or `createQuietKafka` (tests and tools).
 */
export interface KafkaClient {
  readonly [opaque]: 'KafkaClient';
}

/** The kafkajs client behind a KafkaClient: for this lib's own modules and tests, never exported from its index. */
export const kafkajsOf = (client: KafkaClient): Kafka => client as unknown as Kafka;
/** Wraps a kafkajs client as the opaque KafkaClient. */
export const asKafkaClient = (kafka: Kafka): KafkaClient => kafka as unknown as KafkaClient;

/** A principal's SCRAM-SHA-512 credentials, for a broker that runs with SASL (infra/kafka, KAFKA_SECURITY=sasl). */
export interface KafkaCredentials {
  username: string;
  password: string;
}

export interface KafkaOptions {
  clientId: string;
  brokers: string[];
  logger?: PlumbingLogger;
  /** Without: a plain, unauthenticated connection (a broker started with KAFKA_SECURITY=plain). */
  credentials?: KafkaCredentials;
  /**
   * Each error kafkajs reports (an error answer of a broker, a lost connection, a request that timed
   * out), by its namespace: for a counter. Also those its log puts at debug as expected (kafkajs-log.ts).
   */
  onClientError?: (namespace: string) => void;
}

/**
 * A principal's credentials from a broker's passwords file, as infra/kafka writes it with
 * KAFKA_SECURITY=sasl (`credentials.env` in its state folder: KAFKA_PASSWORD_<principal>=… lines).
 */
export function credentialsFromFile(file: string, principal: string): KafkaCredentials {
  const prefix = `KAFKA_PASSWORD_${principal}=`;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(prefix));
  if (!line) throw new Error(`no Kafka password for ${principal} in ${file}`);
  return { username: principal, password: line.slice(prefix.length) };
}

/** kafkajs' SASL option for the credentials, if any. */
export const saslOption = (credentials?: KafkaCredentials) =>
  credentials ? { sasl: { mechanism: 'scram-sha-512' as const, username: credentials.username, password: credentials.password } } : {};

/** A kafkajs client whose own warnings and errors go to the service's structured log. */
export function createKafka({ clientId, brokers, logger = silentLogger, credentials, onClientError }: KafkaOptions): KafkaClient {
  if (brokers.length === 0) throw new Error('createKafka: at least one broker address is required');
  return asKafkaClient(new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 5 },
    ...saslOption(credentials),
    logCreator: kafkajsLogCreator(logger, onClientError),
  }));
}

/**
 * The producer every publisher uses: idempotent, acks=all (set per send), one request in flight so
 * that a retry can never reorder records of one partition, and the Java client's murmur2
 * partitioner so a key lands on the same partition whichever client wrote it. With a
 * `transactionalId` it sends in transactions, and connecting it fences older producers of that id.
 *
 * After a send failed, start a fresh producer (as the relay does) before sending anything else:
 * infra/tests/kafka-cluster.spec.ts, going on with other records on the producer whose send had
 * failed across a leader's kill -9, once saw a record acknowledged that never reached the log. The
 * likely cause: kafkajs handing out the failed send's sequence numbers again, so that the broker,
 * which had written the failed batch, took the new records for its duplicates.
 */
export function createIdempotentProducer(kafka: KafkaClient, options: { transactionalId?: string } = {}): Producer {
  return kafkajsOf(kafka).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(options.transactionalId ? { transactionalId: options.transactionalId } : {}),
  });
}

/** Creates the topics that do not exist yet (idempotent; safe when several services race). */
export async function ensureTopics(kafka: KafkaClient, names: readonly string[], numPartitions = 3): Promise<void> {
  const admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const wanted = [...new Set(names)];
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((name) => !existing.has(name));
    if (missing.length > 0) {
      try {
        // Not kafkajs' waitForLeaders: it gives up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker
        // answers until it has applied the new topic's metadata. The loop below waits for that.
        await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions })), waitForLeaders: false });
      } catch (error) {
        // Another service created one of them in the meantime.
        if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
      }
    }
    // A topic another service has just created may not have its leaders yet: wait until every
    // partition has one, or the first metadata request of a consumer fails at start-up.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: wanted });
        if (topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topics without leaders after 30 s: ${wanted.join(', ')}`);
      await sleep(100);
    }
  } finally {
    await admin.disconnect();
  }
}
