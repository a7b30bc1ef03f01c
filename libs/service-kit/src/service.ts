/**
 * The one composition of a service's plumbing, so every `main.ts` reads the same:
 *
 * Start: the HTTP server first (`/healthz` 200, `/readyz` 503 saying what start-up waits for, every
 * other route 503 `not_ready`), then each dependency in turn, waited for with back-off until
 * STARTUP_TIMEOUT_MS: the database (created if missing, migrated), Kafka (topics), the outbox relay,
 * the consumer runner, the service's own parts. Then its routes answer.
 *
 * Running: a dependency that goes away makes the service wait and retry, never exit; `/readyz`
 * answers 503 with the reason until it is back.
 *
 * Stop (SIGTERM): `/readyz` 503 at once; long polls and streams are told to end (`ctx.stopping`);
 * after SHUTDOWN_DRAIN_MS (a load balancer's time to notice) the HTTP server stops taking requests; the service's parts, the consumer (after the record in
 * hand, committing) and the relay stop; Kafka and the pool are closed. Every step is bounded, so a
 * dependency that is away cannot hold the stop past STOP_BUDGET_MS.
 */
import { Router, type Express } from 'express';
import type { Server } from 'node:http';
import { sleep } from '@webshop/background';
import { topics as topicRegistry, type ServiceName } from '@webshop/events';
import {
  createAdmin,
  createConsumerRunner,
  createKafka,
  createOutboxRelay,
  ensureTopics,
  messagingMigrations,
  type ConsumerRunner,
  type EventHandlers,
  type KafkaAdmin,
  type OutboxRelay,
} from '@webshop/kafka';
import { createPool, ensureDatabase, migrate, type Migration, type Pool } from '@webshop/postgres';
import { createHttpApp, listen } from './http-app';
import { HttpError } from './http-errors';
import { routerOf, type Route } from './http-routes';
import { createLogger, type Logger } from './logger';
import { createMetrics, type ServiceMetrics } from './metrics';
import { openApiDocument, type OpenApiDocument } from './openapi';
import { operatorAccess } from './operator-access';
import { createStartup } from './startup';
import type { ProjectionsDefinition } from './rebuild';
import { kafkaCredentials } from './config';

export interface ServiceConfig {
  PORT: number;
  KAFKA_BROKERS: string[];
  KAFKA_USERNAME?: string;
  KAFKA_PASSWORD?: string;
  DATABASE_URL: string;
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  TOPIC_PREFIX: string;
  KAFKA_PARTITIONS: number;
  /** How long start-up waits for Postgres and Kafka before it gives up (exit 1). */
  STARTUP_TIMEOUT_MS?: number;
  /** How long a stopping service still serves, answering /readyz 503, so a load balancer routes around it first. */
  SHUTDOWN_DRAIN_MS?: number;
  /** The operator endpoints' Bearer tokens (operator-access.ts): without one the service refuses to start, unless ADMIN_AUTH is off. */
  ADMIN_TOKENS?: string[];
  ADMIN_AUTH?: 'on' | 'off';
  /** Browser origins allowed to call across origins (the web front end's). */
  CORS_ORIGIN?: string[];
  /** Where spans go (OTLP over HTTP); none: spans are not recorded (libs/tracing). */
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
}

export interface ServiceContext<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  /** For HTTP requests and the service's own parts; the relay and the consumer have a pool of their own. */
  pool: Pool;
  logger: Logger;
  /** The service's whole configuration, its own variables included. */
  config: C;
  metrics: ServiceMetrics;
  /** Aborted when the service begins to stop: long polls answer, streams tell their clients to reconnect. */
  stopping: AbortSignal;
}

export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  migrations: Migration[];
  /** The topics it reads and, for each event type it cares about, what to do (in one transaction). */
  consumes?: { topics: ReadonlyArray<{ name: string }>; handlers: (ctx: ServiceContext<C>) => EventHandlers };
  /** True when its routes include operator routes (`operator: true`): then it needs ADMIN_TOKENS, or ADMIN_AUTH=off, to start. */
  operatorRoutes?: boolean;
  /** The read models it folds from those topics, which `--rebuild` rebuilds (rebuild.ts). */
  projections?: ProjectionsDefinition;
  /**
   * The service's own parts: its HTTP routes (declared, http-routes.ts: they are registered and
   * documented at /openapi.json from the same declarations) and anything it runs beside them
   * (timers, listeners). Started after the consumers (tried again while the database is away, so it
   * must leave nothing behind when it throws); `stop` runs after the HTTP server closed, before the
   * consumers stop.
   */
  start?: (ctx: ServiceContext<C>) => Promise<{ routes?: Route[]; stop?: () => Promise<void> }>;
}

export interface RunningService<C extends ServiceConfig = ServiceConfig> {
  ctx: ServiceContext<C>;
  port: number;
  /** The express app it serves (tests walk its routes). */
  app: Express;
  consumer?: ConsumerRunner;
  relay: OutboxRelay;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Aborting it during start-up stops what was started and rejects with StartupAborted. */
  signal?: AbortSignal;
}

/** The version of the HTTP contract in the OpenAPI documents. */
const API_VERSION = '1.0.0';

/** The whole stop, all steps together, stays within this (compose and Kubernetes allow 10 s by default). */
const STOP_BUDGET_MS = 8_000;
/** How long the HTTP server lets requests in flight finish before it closes their connections. */
const HTTP_GRACE_MS = 3_000;

export async function startService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger?: Logger,
  options: StartOptions = {},
): Promise<RunningService<C>> {
  const log = logger ?? createLogger({ service: definition.name }, config.LOG_LEVEL);
  const { operatorOnly, required } = operatorAccess(config, { hasOperatorRoutes: definition.operatorRoutes === true }); // no token: a ConfigError, nothing started
  if (!required && definition.operatorRoutes) log.warn('ADMIN_AUTH=off: the operator endpoints are open to anyone (a local demo only)');
  const startup = createStartup({ logger: log, timeoutMs: config.STARTUP_TIMEOUT_MS ?? 180_000, signal: options.signal });
  const stopping = new AbortController();
  const groupId = `${config.TOPIC_PREFIX}${definition.name}`;
  const consumedTopics = (definition.consumes?.topics ?? []).map((t) => config.TOPIC_PREFIX + t.name);

  // Filled in as start-up gets to them; whatever exists is stopped.
  let pool: Pool | undefined;
  let messagingPool: Pool | undefined;
  let admin: KafkaAdmin | undefined;
  let relay: OutboxRelay | undefined;
  let consumer: ConsumerRunner | undefined;
  let own: { routes?: Route[]; stop?: () => Promise<void> } | undefined;

  const metrics = createMetrics(definition.name, {
    outboxPending: async () => (relay ? relay.pending() : { events: 0, oldestAgeSeconds: 0 }),
    consumerLag: async () => (admin ? consumerLag(admin, groupId, consumedTopics) : []),
  });
  // Until start-up is done, the service's own routes (and its document) answer 503 and say what it
  // waits for; its router is put behind this gate once start-up has made it.
  const notReady = () => new HttpError(503, 'not_ready', `${definition.name} is starting: waiting for ${startup.waitingFor ?? 'its routes'}`);
  const routes = Router().use((_req, _res, next) => next(own && !startup.waitingFor ? undefined : notReady()));
  const gated = (declared: Route): Route => ({ ...declared, errors: { ...declared.errors, 503: ['not_ready', 'unavailable'] } });
  let document: OpenApiDocument | undefined;
  const app = createHttpApp({
    logger: log,
    metrics,
    routes,
    openApi: (appRoutes) => {
      if (!own || startup.waitingFor) throw notReady();
      return (document ??= openApiDocument({ title: `${definition.name} service`, version: API_VERSION }, [...appRoutes, ...(own.routes ?? []).map(gated)]));
    },
    corsOrigins: config.CORS_ORIGIN,
    readiness: [
      {
        name: 'lifecycle',
        check: () => {
          if (stopping.signal.aborted) throw new Error('stopping');
          if (startup.waitingFor) throw new Error(`starting: waiting for ${startup.waitingFor}`);
        },
      },
      {
        name: 'postgres',
        check: async () => {
          if (!pool) throw new Error('not connected yet');
          await pool.query('SELECT 1');
        },
      },
      {
        name: 'kafka',
        check: async () => {
          if (!admin) throw new Error('not connected yet');
          if (consumer && !consumer.isRunning()) throw new Error('the consumer is not in its group');
          await admin.describeCluster();
        },
      },
    ],
  });
  const server: Server = await listen(app, config.PORT);
  const port = (server.address() as { port: number }).port;
  log.info('listening', { port });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping.abort();
      const deadline = Date.now() + STOP_BUDGET_MS;
      const drainMs = Math.min(config.SHUTDOWN_DRAIN_MS ?? 0, STOP_BUDGET_MS / 4);
      if (drainMs > 0 && !startup.waitingFor) await sleep(drainMs);
      const step = (what: string, work: (() => Promise<unknown>) | undefined, limitMs: number) =>
        work ? bounded(what, work, Math.max(0, Math.min(limitMs, deadline - Date.now())), log) : undefined;
      await step('closing the HTTP server', () => closeServer(server, HTTP_GRACE_MS), HTTP_GRACE_MS + 500);
      await step("stopping the service's own parts", own?.stop, 3_000);
      await step('stopping the consumer', consumer && (() => consumer!.stop()), 3_000);
      await step('stopping the outbox relay', relay && (() => relay!.stop()), 2_000);
      await step('disconnecting from Kafka', admin && (() => admin!.disconnect()), 1_000);
      await step('closing the database pools', pool && (() => Promise.all([pool!.end(), messagingPool?.end()])), 1_000);
    })());

  try {
    const databaseName = new URL(config.DATABASE_URL).pathname.slice(1);
    if (await startup.step('postgres', () => ensureDatabase(config.DATABASE_URL, databaseName))) log.info('created database', { database: databaseName });
    const onConnectionError = (error: Error) => log.debug('a database connection was lost', { err: error.message });
    const db = createPool(config.DATABASE_URL, { applicationName: definition.name, onConnectionError });
    pool = db;
    // The relay and the consumer retry against a broker or database that is away, and may hold
    // connections while they do: on a pool of their own, they can never starve HTTP requests (placing
    // an order needs only Postgres). Enough for the relay (its LISTEN and a query) and three partitions.
    const messaging = createPool(config.DATABASE_URL, { applicationName: `${definition.name}-messaging`, max: 6, onConnectionError });
    messagingPool = messaging;
    const applied = await startup.step('postgres', () => migrate(db, [...messagingMigrations, ...definition.migrations]));
    if (applied.length) log.info('migrated', { applied });

    const client = createKafka({
      clientId: definition.name,
      brokers: config.KAFKA_BROKERS,
      logger: log,
      credentials: kafkaCredentials(config),
      onClientError: (namespace) => metrics.kafkaClientErrors.inc({ namespace }),
    });
    const kafkaAdmin = createAdmin(client);
    await startup.step('kafka', () => kafkaAdmin.connect());
    admin = kafkaAdmin;
    const written = Object.values(topicRegistry).filter((t) => t.writer === definition.name);
    await startup.step('kafka', () => ensureTopics(client, written.map((t) => config.TOPIC_PREFIX + t.name), config.KAFKA_PARTITIONS));

    const ctx: ServiceContext<C> = { name: definition.name, pool: db, logger: log, config, metrics, stopping: stopping.signal };
    relay = createOutboxRelay({
      pool: messaging,
      kafka: client,
      service: definition.name,
      logger: log,
      topicPrefix: config.TOPIC_PREFIX,
      onPublished: (events, seconds) => {
        metrics.relayPublishDuration.observe(seconds);
        for (const e of events) metrics.eventsPublished.inc({ type: e.eventType });
      },
      onPublishFailed: (reason) => metrics.relayPublishErrors.inc({ reason }),
    });
    relay.start();
    if (definition.consumes) {
      const runner = createConsumerRunner({
        kafka: client,
        pool: messaging,
        service: definition.name,
        groupId,
        topics: definition.consumes.topics,
        topicPrefix: config.TOPIC_PREFIX,
        numPartitions: config.KAFKA_PARTITIONS,
        handlers: definition.consumes.handlers(ctx),
        logger: log,
        onOutcome: (outcome, info) => {
          const type = info.type ?? 'unknown';
          metrics.eventsConsumed.inc({ type, outcome });
          if (outcome === 'applied') {
            metrics.handlerDuration.observe({ type }, info.ms / 1000);
            const occurred = info.occurredAt === null ? NaN : Date.parse(info.occurredAt);
            if (Number.isFinite(occurred)) metrics.eventAge.observe({ type }, Math.max(0, Date.now() - occurred) / 1000);
          }
          if (outcome === 'dead-lettered') metrics.deadLetters.inc({ topic: info.topic, reason: info.reason ?? 'unknown' });
        },
      });
      consumer = runner;
      await startup.step('kafka', () => runner.start());
    }
    own = (await startup.step('postgres', async () => (await definition.start?.(ctx)) ?? {})) ?? {};
    routes.use(routerOf(own.routes ?? [], { operatorOnly }));
    startup.done();
    log.info('ready', { port });
    return { ctx, port, app, consumer, relay, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs `work`, waiting for it at most `limitMs`: a step that hangs (a dependency away) is left behind, said in the log. */
async function bounded(what: string, work: () => Promise<unknown>, limitMs: number, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  try {
    const outcome = await Promise.race([work().then(() => 'done' as const), late]);
    if (outcome === 'late') log.warn(`${what} took too long; going on without it`, { limitMs });
  } catch (error) {
    log.warn(`${what} failed`, { err: error instanceof Error ? error.message : String(error) });
  } finally {
    clearTimeout(timer);
  }
}

/** Stops taking connections, lets requests in flight finish for `graceMs`, then closes what is left. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function consumerLag(admin: KafkaAdmin, groupId: string, topics: string[]) {
  if (topics.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics });
  const lag: Array<{ topic: string; partition: number; lag: number }> = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const { partition, offset } of partitions) {
      const end = ends.find((e) => e.partition === partition);
      if (!end) continue;
      const from = Number(offset) < 0 ? Number(end.low) : Number(offset);
      lag.push({ topic, partition, lag: Math.max(0, Number(end.high) - from) });
    }
  }
  return lag;
}
