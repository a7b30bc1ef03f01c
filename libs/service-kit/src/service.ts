/**
 * The one composition of a service's plumbing, so every `main.ts` reads the same:
 * database (created if missing, migrated), Kafka topics, outbox relay, consumer runner, HTTP app
 * with health and readiness, and an orderly stop: stop taking requests, finish the record and the
 * batch in hand, commit, disconnect, close the pool.
 */
import type { Router } from 'express';
import type { Server } from 'node:http';
import type { Admin, Kafka } from 'kafkajs';
import { topics as topicRegistry, type ServiceName } from '@webshop/events';
import {
  createConsumerRunner,
  createKafka,
  createOutboxRelay,
  ensureTopics,
  messagingMigrations,
  type ConsumerRunner,
  type EventHandlers,
  type OutboxRelay,
} from '@webshop/kafka';
import { createPool, ensureDatabase, migrate, type Migration, type Pool } from '@webshop/postgres';
import { createHttpApp, listen } from './http-app';
import { createLogger, type Logger } from './logger';
import { createMetrics, type ServiceMetrics } from './metrics';

export interface ServiceConfig {
  PORT: number;
  KAFKA_BROKERS: string[];
  DATABASE_URL: string;
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  TOPIC_PREFIX: string;
  KAFKA_PARTITIONS: number;
}

export interface ServiceContext<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  pool: Pool;
  kafka: Kafka;
  logger: Logger;
  /** The service's whole configuration, its own variables included. */
  config: C;
  metrics: ServiceMetrics;
}

export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  name: ServiceName;
  migrations: Migration[];
  /** The topics it reads and, for each event type it cares about, what to do (in one transaction). */
  consumes?: { topics: ReadonlyArray<{ name: string }>; handlers: (ctx: ServiceContext<C>) => EventHandlers };
  /**
   * The service's own parts: its HTTP routes and anything it runs beside them (timers, listeners).
   * Started after the consumers; `stop` runs after the HTTP server closed, before the consumers stop.
   */
  start?: (ctx: ServiceContext<C>) => Promise<{ router?: Router; stop?: () => Promise<void> }>;
}

export interface RunningService<C extends ServiceConfig = ServiceConfig> {
  ctx: ServiceContext<C>;
  port: number;
  consumer?: ConsumerRunner;
  relay: OutboxRelay;
  stop(): Promise<void>;
}

export async function startService<C extends ServiceConfig>(definition: ServiceDefinition<C>, config: C, logger?: Logger): Promise<RunningService<C>> {
  const log = logger ?? createLogger({ service: definition.name }, config.LOG_LEVEL);
  const databaseName = new URL(config.DATABASE_URL).pathname.slice(1);
  if (await ensureDatabase(config.DATABASE_URL, databaseName)) log.info('created database', { database: databaseName });
  const pool = createPool(config.DATABASE_URL, { applicationName: definition.name });
  const applied = await migrate(pool, [...messagingMigrations, ...definition.migrations]);
  if (applied.length) log.info('migrated', { applied });

  const kafka = createKafka({ clientId: definition.name, brokers: config.KAFKA_BROKERS, logger: log });
  const groupId = `${config.TOPIC_PREFIX}${definition.name}`;
  const consumedTopics = (definition.consumes?.topics ?? []).map((t) => config.TOPIC_PREFIX + t.name);
  const admin = kafka.admin();
  await admin.connect();
  const metrics = createMetrics(definition.name, {
    outboxBacklog: () => relay.backlog(),
    consumerLag: () => consumerLag(admin, groupId, consumedTopics),
  });
  const ctx: ServiceContext<C> = { name: definition.name, pool, kafka, logger: log, config, metrics };
  const written = Object.values(topicRegistry).filter((t) => t.writer === definition.name);
  await ensureTopics(kafka, written.map((t) => config.TOPIC_PREFIX + t.name), config.KAFKA_PARTITIONS);

  const relay = createOutboxRelay({
    pool,
    kafka,
    service: definition.name,
    logger: log,
    topicPrefix: config.TOPIC_PREFIX,
    onPublished: (events) => events.forEach((e) => metrics.eventsPublished.inc({ type: e.eventType })),
  });
  relay.start();
  let consumer: ConsumerRunner | undefined;
  if (definition.consumes) {
    consumer = createConsumerRunner({
      kafka,
      pool,
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
        if (outcome === 'applied') metrics.handlerDuration.observe({ type }, info.ms / 1000);
        if (outcome === 'dead-lettered') metrics.deadLetters.inc({ topic: info.topic, reason: info.reason ?? 'unknown' });
      },
    });
    await consumer.start();
  }
  const own = (await definition.start?.(ctx)) ?? {};

  const app = createHttpApp({
    logger: log,
    metrics,
    routes: own.router,
    readiness: [
      { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
      {
        name: 'kafka',
        check: async () => {
          if (consumer && !consumer.isRunning()) throw new Error('the consumer has not joined its group');
          await admin.describeCluster();
        },
      },
    ],
  });
  const server: Server = await listen(app, config.PORT);
  const port = (server.address() as { port: number }).port;
  log.info('listening', { port });

  let stopped: Promise<void> | undefined;
  return {
    ctx,
    port,
    consumer,
    relay,
    stop() {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await own.stop?.();
        await consumer?.stop();
        await relay.stop();
        await admin.disconnect();
        await pool.end();
      })();
      return stopped;
    },
  };
}

async function consumerLag(admin: Admin, groupId: string, topics: string[]) {
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
