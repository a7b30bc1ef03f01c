/**
 * Prometheus metrics of one service (prom-client, a registry per service so tests can run several
 * in one process). Served at GET /metrics in the text format.
 *
 * Prometheus' naming: every metric of the project starts with `webshop_`, a unit ends the name of
 * what has one (`_seconds`, `_records`, `_events`), a counter ends in `_total`, and the HTTP status
 * is the label `code`. prom-client's process and Node.js metrics keep their standard names
 * (`process_*`, `nodejs_*`), as every Node.js dashboard expects them. Each series carries
 * `service` (the consumer, for the consumer's metrics). `metricNames` lists the project's names:
 * the Grafana dashboard (infra/grafana) is checked against them and against a live /metrics.
 */
import client from 'prom-client';
import type { RequestHandler } from 'express';

export const METRIC_PREFIX = 'webshop_';

export const metricNames = {
  httpDuration: 'webshop_http_request_duration_seconds',
  eventsConsumed: 'webshop_events_consumed_total',
  eventsPublished: 'webshop_events_published_total',
  handlerDuration: 'webshop_event_handler_duration_seconds',
  eventAge: 'webshop_event_age_seconds',
  deadLetters: 'webshop_dead_letters_total',
  consumerLag: 'webshop_consumer_lag_records',
  outboxPending: 'webshop_outbox_pending_events',
  outboxOldestAge: 'webshop_outbox_oldest_pending_age_seconds',
  relayPublishDuration: 'webshop_relay_publish_duration_seconds',
  relayPublishErrors: 'webshop_relay_publish_errors_total',
  kafkaClientErrors: 'webshop_kafka_client_errors_total',
} as const;

/** Buckets for what takes from a tenth of a millisecond (one record's share of a run) to seconds. */
export const FINE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Buckets for requests, publishes and ages: a millisecond to minutes. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * One call of `read` shared by every gauge of one scrape (prom-client collects them together):
 * two gauges from one query run it once.
 */
export function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => (inFlight ??= read().finally(() => setImmediate(() => (inFlight = undefined))));
}

export interface MetricsSources {
  /** The outbox rows not yet published and the age of the oldest (one query for both gauges). */
  outboxPending?: () => Promise<{ events: number; oldestAgeSeconds: number }>;
  /** Records behind the end of each partition, for the service's consumer group. */
  consumerLag?: () => Promise<Array<{ topic: string; partition: number; lag: number }>>;
}

export interface ServiceMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'code'>;
  eventsConsumed: client.Counter<'type' | 'outcome'>;
  eventsPublished: client.Counter<'type'>;
  /** Each record's share of the time to apply it. */
  handlerDuration: client.Histogram<'type'>;
  /** now − occurred-at of each event applied. */
  eventAge: client.Histogram<'type'>;
  deadLetters: client.Counter<'topic' | 'reason'>;
  relayPublishDuration: client.Histogram;
  relayPublishErrors: client.Counter<'reason'>;
  kafkaClientErrors: client.Counter<'namespace'>;
  /** Times each HTTP request by method, route pattern and status. */
  httpMiddleware: RequestHandler;
  /** A service's own metrics, in the same registry; each name must start with `webshop_`. */
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): client.Counter<L>;
  histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]): client.Histogram<L>;
  /** A gauge read at each scrape: `read` may throw (a dependency away), and the gauge keeps its last value. */
  gauge(name: string, help: string, read: () => Promise<number>): client.Gauge;
}

export function createMetrics(service: string, sources: MetricsSources = {}): ServiceMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  const named = (name: string) => {
    if (!name.startsWith(METRIC_PREFIX)) throw new Error(`metric ${name}: the project's metrics start with ${METRIC_PREFIX}`);
    return name;
  };
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new client.Counter<L>({ name: named(name), help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new client.Histogram<L>({ name: named(name), help, labelNames, buckets, registers: [registry] });
  /** Set from `read` at each scrape; when it throws (the database or broker away), the last value stays and /metrics still answers. */
  const gauge = (name: string, help: string, read: () => Promise<number>) =>
    new client.Gauge({
      name: named(name),
      help,
      registers: [registry],
      async collect() {
        try {
          this.set(await read());
        } catch {
          // keeps its last value
        }
      },
    });

  const httpDuration = histogram(metricNames.httpDuration, 'HTTP request latency, by method, route pattern and status code', ['method', 'route', 'code'], LATENCY_BUCKETS);
  const eventsConsumed = counter(metricNames.eventsConsumed, 'Records consumed, by event type and outcome (applied, duplicate, ignored, dead-lettered)', ['type', 'outcome']);
  const eventsPublished = counter(metricNames.eventsPublished, 'Events published from the outbox, by type', ['type']);
  const handlerDuration = histogram(
    metricNames.handlerDuration,
    "Each applied record's share of the time to apply it (a run's transaction divided among its records; a record alone with its retries)",
    ['type'],
    FINE_BUCKETS,
  );
  const eventAge = histogram(metricNames.eventAge, 'Age of each event when it was applied: now minus its occurred-at, by type', ['type'], LATENCY_BUCKETS);
  const deadLetters = counter(metricNames.deadLetters, 'Records sent to a dead-letter topic, by source topic and reason', ['topic', 'reason']);
  const relayPublishDuration = histogram(metricNames.relayPublishDuration, "The outbox relay's publish of one batch: its Kafka transaction, send to commit", [], LATENCY_BUCKETS);
  const relayPublishErrors = counter(metricNames.relayPublishErrors, 'Publishes of the outbox relay that the broker did not take, by reason', ['reason']);
  const kafkaClientErrors = counter(metricNames.kafkaClientErrors, 'Errors the Kafka client reported (broker error answers, lost connections, timeouts), by its namespace', ['namespace']);

  const outboxPending = oncePerScrape(async () => (sources.outboxPending ? sources.outboxPending() : { events: 0, oldestAgeSeconds: 0 }));
  gauge(metricNames.outboxPending, 'Outbox rows not yet published', async () => (await outboxPending()).events);
  gauge(metricNames.outboxOldestAge, 'How long the oldest unpublished outbox row has waited (0 when none waits)', async () => (await outboxPending()).oldestAgeSeconds);
  new client.Gauge({
    name: metricNames.consumerLag,
    help: "Records between the consumer group's committed position and the end of each partition",
    labelNames: ['topic', 'partition'] as const,
    registers: [registry],
    async collect() {
      if (!sources.consumerLag) return;
      try {
        const lags = await sources.consumerLag();
        this.reset();
        for (const { topic, partition, lag } of lags) this.set({ topic, partition: String(partition) }, lag);
      } catch {
        // The broker is away: the gauge keeps its last values and /metrics still answers.
      }
    },
  });

  const httpMiddleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      // The route pattern, not the path: /orders/:orderId is one series, not one per order.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, code: String(res.statusCode) });
    });
    next();
  };

  return {
    registry,
    httpDuration,
    eventsConsumed,
    eventsPublished,
    handlerDuration,
    eventAge,
    deadLetters,
    relayPublishDuration,
    relayPublishErrors,
    kafkaClientErrors,
    httpMiddleware,
    counter,
    histogram,
    gauge,
  };
}
