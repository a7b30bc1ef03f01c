import { parsePrometheusText } from './prometheus-text';
import { createMetrics, metricNames } from './metrics';

describe("a service's metrics", () => {
  it('refuses a metric of the service outside the project prefix', () => {
    const metrics = createMetrics('stock');
    expect(() => metrics.counter('restocks_total', 'restocks')).toThrow(/start with webshop_/);
    expect(() => metrics.counter('webshop_restocks_total', 'restocks')).not.toThrow();
  });

  it('reads both outbox gauges with one query a scrape, and keeps the last values while the database is away', async () => {
    let queries = 0;
    let away = false;
    const metrics = createMetrics('stock', {
      outboxPending: async () => {
        queries++;
        if (away) throw new Error('connection refused');
        return { events: 4, oldestAgeSeconds: 2.5 };
      },
    });
    const scrape = async () => parsePrometheusText(await metrics.registry.metrics());

    const first = await scrape();
    expect(queries).toBe(1);
    expect([first.sum(metricNames.outboxPending), first.sum(metricNames.outboxOldestAge)]).toEqual([4, 2.5]);
    await new Promise((resolve) => setImmediate(resolve));

    away = true;
    const second = await scrape();
    expect(queries).toBe(2);
    expect([second.sum(metricNames.outboxPending), second.sum(metricNames.outboxOldestAge)]).toEqual([4, 2.5]);
  });
});
