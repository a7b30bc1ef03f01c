/**
 * One order is one trace across the five services: the whole shop as processes, exporting their
 * spans over OTLP (OTEL_EXPORTER_OTLP_ENDPOINT, as compose points them at Jaeger) to a receiver that
 * keeps them in memory. An order placed with a caller's traceparent, paid, reserved, confirmed,
 * shipped and delivered by the auto-dispatcher and told of by two emails: every span of it is in
 * the caller's trace, each one's parent is there too, and every event any service wrote about the
 * order carries that trace.
 */
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startOtlpCollector, testOperatorToken, waitFor, type CollectedSpan, type OtlpCollector } from '@webshop/testing';
import { shopClient, type ShopClient } from './qa/client';
import { serviceNames, startShop, type Shop } from './shop';

describe('tracing the whole shop', () => {
  let collector: OtlpCollector;
  let shop: Shop;
  let api: ShopClient;
  beforeAll(async () => {
    collector = await startOtlpCollector();
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
    shop = await startShop({ env: Object.fromEntries(serviceNames.map((s) => [s, { ...tracing, ...(s === 'shipping' ? { AUTO_DISPATCH_MS: '300' } : {}) }])) });
    api = shopClient(shop.url, testOperatorToken);
  }, 180_000);
  afterAll(async () => {
    await shop?.stop();
    await collector?.stop();
  }, 60_000);

  it("an order's whole story is one trace, the caller's, with every span's parent in it", async () => {
    const { sku, customer } = await api.setUp({ sku: 'TEA', customer: 'ada', priceCents: 450, stock: 10, funds: 10_000 });
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const order = await api.place(customer, [{ sku, quantity: 2 }], { traceparent: `00-${traceId}-${callerSpanId}-01` });
    await api.until(order.orderId, 'DELIVERED');
    await api.emails(order.orderId, 2);

    const inTrace = () => collector.spans.filter((s) => s.traceId === traceId);
    const has = (service: string, name: string) => inTrace().some((s) => s.service === service && s.name === name);
    const expected: Array<[string, string]> = [
      ['orders', 'POST /orders'],
      ['orders', 'publish PurchaseRequested'],
      ['payment', 'process PurchaseRequested'],
      ['stock', 'process PurchaseRequested'],
      ['orders', 'process PaymentProcessed'],
      ['orders', 'process StockReserved'],
      ['shipping', 'process OrderConfirmed'],
      ['shipping', 'auto-dispatch shipment'],
      ['shipping', 'auto-deliver shipment'],
      ['email', 'smtp send ORDER_CONFIRMED'],
      ['email', 'smtp send ORDER_SHIPPED'],
      ['orders', 'process ShipmentDelivered'],
      ['orders', 'process EmailSent'],
    ];
    const missing = () => expected.filter(([service, name]) => !has(service, name)).map((e) => e.join(' '));
    await waitFor(() => missing().length === 0, { timeoutMs: 30_000, description: 'every span expected in the trace' }).catch((error: Error) => {
      throw new Error(`${error.message}; missing: ${missing().join(', ')}`);
    });
    // Each service's last spans of it are exported within a batch delay.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const spans = inTrace();
    // For a person to look at: the order's trace, as the services exported it.
    writeFileSync(path.join(shop.logDir, `trace-${order.orderId}.json`), JSON.stringify(spans, null, 2));
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(serviceNames));
    expect(collector.refused).toBe(0);
    // A tree: the caller's span above the requests, every other span's parent recorded.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const orphans = spans.filter((s) => s.parentSpanId !== callerSpanId && !byId.has(s.parentSpanId));
    expect(orphans.map((s) => `${s.service} ${s.name}`)).toEqual([]);
    expect(new Set(spans.filter((s) => s.parentSpanId === callerSpanId).map((s) => `${s.service} ${s.name}`))).toEqual(new Set(['orders POST /orders']));

    // The shipment moved on by itself under the processing that scheduled it; the email under the event that called for it.
    const ancestry = (span: CollectedSpan): string[] => {
      const parent = byId.get(span.parentSpanId);
      return parent ? [`${parent.service} ${parent.name}`, ...ancestry(parent)] : [];
    };
    const named = (service: string, name: string) => spans.find((s) => s.service === service && s.name === name)!;
    expect(ancestry(named('shipping', 'auto-deliver shipment'))).toContain('shipping process OrderConfirmed');
    expect(ancestry(named('shipping', 'auto-deliver shipment')).at(-1)).toBe('orders POST /orders');
    expect(ancestry(named('email', 'smtp send ORDER_SHIPPED'))).toContain('shipping auto-dispatch shipment');
    expect(named('email', 'smtp send ORDER_CONFIRMED').kind).toBe(3); // client
    expect(named('payment', 'process PurchaseRequested')).toMatchObject({ kind: 5, attributes: { 'messaging.system': 'kafka', 'webshop.outcome': 'applied' } });

    // And the data says so: every event about the order, whoever wrote it, carries the one trace.
    const written: Array<{ service: string; type: string; traceparent: string }> = [];
    for (const service of serviceNames) {
      const client = new pg.Client({ connectionString: shop.databaseUrl[service] });
      await client.connect();
      try {
        const { rows } = await client.query<{ type: string; traceparent: string }>(
          `SELECT event_type AS type, headers->>'traceparent' AS traceparent FROM outbox WHERE key = $1 OR headers->>'correlation-id' = $1 ORDER BY id`,
          [order.orderId],
        );
        written.push(...rows.map((r) => ({ service, ...r })));
      } finally {
        await client.end();
      }
    }
    expect(new Set(written.map((w) => w.service))).toEqual(new Set(serviceNames));
    expect(written.filter((w) => !w.traceparent.startsWith(`00-${traceId}-`))).toEqual([]);
    expect(written.map((w) => w.type)).toEqual(expect.arrayContaining(['PurchaseRequested', 'PaymentProcessed', 'StockReserved', 'OrderConfirmed', 'ShipmentDispatched', 'ShipmentDelivered', 'EmailSent']));

    // The services' lines about the order name it as correlationId, with the trace, under the fixed names.
    const linesAbout = () =>
      serviceNames.flatMap((service) =>
        readFileSync(path.join(shop.logDir, `${service}.log`), 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line): Record<string, unknown> & { service: string } => ({ ...(JSON.parse(line) as Record<string, unknown>), service }))
          .filter((line) => line['correlationId'] === order.orderId || line['orderId'] === order.orderId),
      );
    const told = ['shipping shipment moved on automatically', 'email email sent'];
    await waitFor(() => told.every((t) => linesAbout().filter((l) => `${l.service} ${String(l['msg'])}` === t).length === 2), { timeoutMs: 10_000, description: 'the dispatch, delivery and email lines' });
    expect(linesAbout().filter((l) => l['correlationId'] !== order.orderId || l['traceId'] !== traceId)).toEqual([]);
  });
});
