/**
 * Prometheus metrics of one service (prom-client, a registry per service so tests can run several
 * in one process). Served at GET /metrics in the text format.
 */
import client from 'prom-client';
import type { RequestHandler } from 'express';

export interface MetricsSources {
  /** Outbox rows not yet published. */
  outboxBacklog?: () => Promise<number>;
  /** Records behind the end of each partition, for the service's consumer group. */
  consumerLag?: () => Promise<Array<{ topic: string; partition: number; lag: number }>>;
}

export interface ServiceMetrics {
  registry: client.Registry;
  httpDuration: client.Histogram<'method' | 'route' | 'status'>;
  eventsConsumed: client.Counter<'type' | 'outcome'>;
  eventsPublished: client.Counter<'type'>;
  handlerDuration: client.Histogram<'type'>;
  deadLetters: client.Counter<'topic' | 'reason'>;
  /** Times each HTTP request by method, route pattern and status. */
  httpMiddleware: RequestHandler;
}

export function createMetrics(service: string, sources: MetricsSources = {}): ServiceMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new client.Counter({ name, help, labelNames, registers: [registry] });
  const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
    new client.Histogram({ name, help, labelNames, buckets, registers: [registry] });

  const httpDuration = histogram('http_request_duration_seconds', 'HTTP request latency', ['method', 'route', 'status'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  const eventsConsumed = counter('events_consumed_total', 'Records consumed, by event type and outcome (applied, duplicate, ignored, dead-lettered)', ['type', 'outcome']);
  const eventsPublished = counter('events_published_total', 'Events published from the outbox, by type', ['type']);
  const handlerDuration = histogram('event_handler_duration_seconds', 'Time to apply a consumed event (decode, transaction, retries)', ['type'], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]);
  const deadLetters = counter('dead_letters_total', 'Records sent to a dead-letter topic, by source topic and reason', ['topic', 'reason']);
  new client.Gauge({
    name: 'outbox_backlog',
    help: 'Outbox rows not yet published',
    registers: [registry],
    async collect() {
      if (!sources.outboxBacklog) return;
      try {
        this.set(await sources.outboxBacklog());
      } catch {
        // The database is away: the gauge keeps its last value and /metrics still answers.
      }
    },
  });
  new client.Gauge({
    name: 'consumer_lag',
    help: 'Records between the consumer group and the end of each partition',
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
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  return { registry, httpDuration, eventsConsumed, eventsPublished, handlerDuration, deadLetters, httpMiddleware };
}
