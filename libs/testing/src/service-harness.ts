/**
 * Runs one service for an integration test exactly as main.ts does, on real Kafka and Postgres, in
 * isolation: a fresh database, its own copy of every topic (a unique TOPIC_PREFIX), any free port.
 *
 * Events are fed as their real writer publishes them: Avro single-object value, the event's key and
 * the full envelope of headers (encodeRecord, the outbox's own encoding), produced idempotently with
 * acks=all. `redeliver` sends the very same record again, as a relay that crashed before marking its
 * outbox row would; `publishRaw` sends records as given, for ones no writer would publish (a
 * stranger's, an altered envelope). What the service publishes is read back from its topics, what
 * it refuses from its dead-letter topics.
 */
import { decodeEvent, dlqTopicName, topicOf, topics as topicRegistry, type EventData, type EventType, type TopicName } from '@webshop/events';
import {
  connectProducer,
  encodeRecord,
  ensureTopics,
  Header,
  headerString,
  startReader,
  type AnyOutgoingEvent,
  type ConsumedRecord,
  type EncodedRecord,
  type KafkaClient,
} from '@webshop/kafka';
import { createLogger, startService, type RunningService, type ServiceConfig, type ServiceDefinition } from '@webshop/service-kit';
import { operatorHeaders, testOperatorToken } from '@webshop/testing-core';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { testKafkaAccess } from '@webshop/kafka/testing';
import { uniqueName } from '@webshop/testing-core';
import { waitFor } from '@webshop/testing-core';

/** A record the service published, decoded, with the envelope fields tests look at. */
export interface Published<T extends EventType = EventType> {
  topic: string;
  key: string | null;
  eventId: string;
  causationId: string | null;
  type: T;
  data: EventData<T>;
}

export interface ServiceHarness<C extends ServiceConfig = ServiceConfig> {
  running: RunningService<C>;
  /** The service's own database, to look at what it stored. */
  db: TestDatabase;
  /** The topic prefix of this run. */
  prefix: string;
  kafka: KafkaClient;
  url(path: string): string;
  /** Calls the service's HTTP API as the operator (the run's token; an `authorization` header of the caller's own replaces it); answers the status, the JSON body and the headers. */
  // The tests read any field of a response and let expect() judge it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }>;
  /** Publishes the events in order (each `times` times in a row), as their writers would; answers their ids. */
  publish(events: AnyOutgoingEvent[], options?: { times?: number }): Promise<string[]>;
  /** Sends an event published earlier once more: the same record, the same event id. */
  redeliver(eventId: string): Promise<void>;
  /**
   * Sends records exactly as given (key, value bytes, headers) to this run's copy of `topic`, in
   * order: e.g. an `encodeRecord` result with headers a writer would never set.
   */
  publishRaw(records: ReadonlyArray<RawRecord>): Promise<void>;
  /** Waits until `count` records are on the service's dead-letter topic of `topic`; answers them all, in order. */
  deadLetters(topic: TopicName, count?: number, timeoutMs?: number): Promise<ConsumedRecord[]>;
  /** Every record the service published so far, in the order read. */
  published: Published[];
  /** Waits until `count` records of `type` matching `where` were published; answers them all. */
  waitForPublished<T extends EventType>(type: T, where?: (data: EventData<T>) => boolean, count?: number, timeoutMs?: number): Promise<Array<Published<T>>>;
  /** Waits until the service applied (or dropped as a duplicate) the event: its id is in the inbox. */
  handled(eventId: string): Promise<void>;
  /** How many events of `type` about `key` the service ever decided to publish (its outbox). */
  outboxed(type: EventType, key: string): Promise<number>;
  /** Starts one more instance of the service on the same database and topics (same consumer group). */
  startAnotherInstance(): Promise<RunningService<C>>;
  /** The service's log lines, parsed. */
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A record as it goes on the wire; `topic` is the registry's name (the harness adds its prefix). */
export interface RawRecord {
  topic: TopicName;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export async function startServiceHarness<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  options: { label: string; reads: TopicName[]; env?: Partial<C> },
): Promise<ServiceHarness<C>> {
  const prefix = `${uniqueName(options.label).replace(/_/g, '-')}.`;
  const db = await createTestDatabase(options.label);
  const access = testKafkaAccess();
  const kafka = access.admin(options.label);
  // The service logs in as its own principal, allowed what the registry gives it on this run's topics.
  const revokeAcls = await access.grantShop(prefix);
  const login = access.credentials(definition.name);
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: definition.name }, 'info', { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const base: ServiceConfig = {
    PORT: 0,
    KAFKA_BROKERS: access.brokers,
    ...(login ? { KAFKA_USERNAME: login.username, KAFKA_PASSWORD: login.password } : {}),
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: 3,
    ADMIN_TOKENS: [testOperatorToken],
  };
  const config = { ...base, ...options.env } as C;
  const running = await startService(definition, config, logger);
  const others: Array<RunningService<C>> = [];

  const producer = await connectProducer(kafka);
  const sent = new Map<string, EncodedRecord>();
  const send = (records: EncodedRecord[]) => {
    const byTopic = new Map<string, EncodedRecord[]>();
    for (const r of records) byTopic.set(prefix + r.topic, [...(byTopic.get(prefix + r.topic) ?? []), r]);
    return producer.sendBatch([...byTopic].map(([topic, list]) => ({ topic, records: list.map(({ key, value, headers }) => ({ key, value, headers })) })));
  };

  const published: Published[] = [];
  const readTopics = options.reads.map((t) => prefix + topicRegistry[t].name);
  await ensureTopics(kafka, readTopics, config.KAFKA_PARTITIONS); // leaders first, or subscribe can fail
  const reader = await startReader(kafka, { groupId: uniqueName('reader'), topics: readTopics }, (message, { topic }) => {
    const decoded = decodeEvent(message.value!);
    published.push({
      topic: topic.slice(prefix.length),
      key: message.key?.toString('utf8') ?? null,
      eventId: headerString(message.headers, Header.eventId)!,
      causationId: headerString(message.headers, Header.causationId),
      type: decoded.type,
      data: decoded.data,
    });
  });

  return {
    running,
    db,
    prefix,
    kafka,
    url: (path) => `http://127.0.0.1:${running.port}${path}`,
    async api(path, init) {
      const response = await fetch(`http://127.0.0.1:${running.port}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', ...operatorHeaders(), ...init?.headers },
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
    },
    async publish(events, { times = 1 } = {}) {
      const records = events.map((event) => encodeRecord(event, topicOf(event.type).writer));
      for (const r of records) sent.set(r.eventId, r);
      await send(records.flatMap((r) => Array.from({ length: times }, () => r)));
      return records.map((r) => r.eventId);
    },
    async redeliver(eventId) {
      const record = sent.get(eventId);
      if (!record) throw new Error(`no event ${eventId} was published by this harness`);
      await send([record]);
    },
    async publishRaw(records) {
      for (const { topic, key, value, headers } of records) {
        await producer.send(prefix + topicRegistry[topic].name, [{ key, value, headers }]);
      }
    },
    async deadLetters(topic, count = 1, timeoutMs = 30_000) {
      const dlq = dlqTopicName(prefix + topicRegistry[topic].name, definition.name);
      const received: ConsumedRecord[] = [];
      await ensureTopics(kafka, [dlq], config.KAFKA_PARTITIONS);
      const dlqReader = await startReader(kafka, { groupId: uniqueName('dlq-reader'), topics: [dlq] }, (message) => void received.push(message));
      try {
        await waitFor(() => received.length >= count, { timeoutMs, description: `${count} records on ${dlq}` });
      } finally {
        await dlqReader.stop();
      }
      return received;
    },
    published,
    async waitForPublished<T extends EventType>(type: T, where: (data: EventData<T>) => boolean = () => true, count = 1, timeoutMs = 30_000) {
      const matching = () => published.filter((p): p is Published<T> => p.type === type && where(p.data as EventData<T>));
      return waitFor(() => matching().length >= count && matching(), { timeoutMs, description: `${count} × ${type} published` });
    },
    async handled(eventId) {
      await waitFor(async () => (await db.pool.query('SELECT 1 FROM inbox WHERE event_id = $1', [eventId])).rowCount === 1, {
        timeoutMs: 30_000,
        description: `event ${eventId} handled by ${definition.name}`,
      });
    },
    async outboxed(type, key) {
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox WHERE event_type = $1 AND headers->>'${Header.correlationId}' = $2`,
        [type, key],
      );
      return rows[0]!.n;
    },
    async startAnotherInstance() {
      const another = await startService(definition, config, createLogger({ service: definition.name }, 'silent'));
      others.push(another);
      return another;
    },
    logs,
    async stop() {
      await reader.stop().catch(() => undefined);
      await producer.disconnect();
      for (const other of others) await other.stop();
      await running.stop();
      await revokeAcls();
      await db.drop();
    },
  };
}

/** A JSON request, as the operator unless `token` says otherwise (`null`: no Authorization header): status and parsed body. */
export async function call(url: string, method: string, body?: unknown, { token }: { token?: string | null } = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: { ...operatorHeaders(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
