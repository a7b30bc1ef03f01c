/**
 * One trace across the outbox, the relay and a consumer, on the real broker and database, recorded
 * by the OpenTelemetry SDK into an in-memory exporter: an event appended inside a span is published
 * and processed as that span's children, an event the handler appends is the child of the
 * processing, a redelivered event's second processing says `duplicate`, and each record carries
 * the span that appended it as its traceparent.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { topics } from '@webshop/events';
import { withTransaction } from '@webshop/postgres';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { uniqueName, waitFor } from '@webshop/testing-core';
import { inSpan, startTracing, type Tracing } from '@webshop/tracing';
import { createConsumerRunner, type ConsumerRunner } from './consumer-runner';
import { ensureTopics, type KafkaClient } from './kafka-client';
import { appendToOutbox } from './outbox';
import { createOutboxRelay, type OutboxRelay } from './outbox-relay';
import { testKafka } from './testing';
import { prepareDatabase, produce, productUpdated, readTopic, uniquePrefix } from './testing/fixtures';

const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing across the outbox, the relay and a consumer', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let kafka: KafkaClient;
  let db: TestDatabase;
  let relay: OutboxRelay;
  let runner: ConsumerRunner;
  const prefix = uniquePrefix('tracing');
  const sku = uniqueName('sku');

  beforeAll(async () => {
    tracing = await startTracing({ service: 'stock', exporter, immediate: true });
    kafka = testKafka('tracing-test');
    db = await createTestDatabase('tracing');
    await prepareDatabase(db.pool);
    await ensureTopics(kafka, [`${prefix}products`]);
    relay = createOutboxRelay({ pool: db.pool, kafka, service: 'stock', topicPrefix: prefix, pollIntervalMs: 60_000 });
    relay.start();
    runner = createConsumerRunner({
      kafka,
      pool: db.pool,
      service: 'stock',
      groupId: `${prefix}stock`,
      topics: [topics.products],
      topicPrefix: prefix,
      handlers: {
        // The first update causes a second one, as a workflow's decision would.
        ProductUpdated: async (event, tx) => {
          if (event.data.available === 1) await appendToOutbox(tx, 'stock', [{ type: 'ProductUpdated', data: productUpdated(sku, 2), causedBy: event }]);
        },
      },
    });
    await runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await relay?.stop();
    await tracing?.shutdown();
    await db?.drop();
  });

  it('records one trace: append → publish and process → append → publish and process; a redelivery is a duplicate in it', async () => {
    await inSpan('place order', {}, () => withTransaction(db.pool, (tx) => appendToOutbox(tx, 'stock', [{ type: 'ProductUpdated', data: productUpdated(sku, 1) }])));
    const processed = () => exporter.getFinishedSpans().filter((s) => s.name === 'process ProductUpdated');
    await waitFor(() => processed().length === 2, { timeoutMs: 30_000, description: 'both updates processed' });

    // The very record the relay published, once more: the inbox has it.
    const [first, second] = await readTopic(kafka, `${prefix}products`, 2);
    await produce(kafka, `${prefix}products`, [{ key: first!.key!.toString(), value: first!.value!, headers: Object.fromEntries(Object.entries(first!.headers!).map(([k, v]) => [k, String(v)])) }]);
    await waitFor(() => processed().length === 3, { timeoutMs: 30_000, description: 'the redelivery processed' });
    await waitFor(() => exporter.getFinishedSpans().filter((s) => s.name === 'publish ProductUpdated').length === 2, { timeoutMs: 10_000, description: 'both publishes ended' });

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === exporter.getFinishedSpans().find((r) => r.name === 'place order')!.spanContext().traceId);
    const named = (name: string) => spans.filter((s) => s.name === name);
    const [root] = named('place order');
    const [transaction] = named('transaction');
    const [append1, append2] = named('outbox append').sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(root!.parentSpanContext).toBeUndefined();
    expect(parentOf(transaction!)).toBe(spanId(root!));
    expect(transaction!.attributes['db.namespace']).toBe(db.url.split('/').pop());
    expect(parentOf(append1!)).toBe(spanId(transaction!));

    // Each record names the span that appended it.
    expect(first!.headers!['traceparent']!.toString()).toBe(`00-${root!.spanContext().traceId}-${spanId(append1!)}-01`);
    expect(second!.headers!['traceparent']!.toString()).toBe(`00-${root!.spanContext().traceId}-${spanId(append2!)}-01`);

    const publishes = named('publish ProductUpdated');
    expect(publishes.map(parentOf).sort()).toEqual([spanId(append1!), spanId(append2!)].sort());
    expect(publishes.every((s) => s.attributes['messaging.destination.name'] === `${prefix}products`)).toBe(true);

    const processing = named('process ProductUpdated');
    expect(processing).toHaveLength(3);
    const ofFirst = processing.filter((s) => parentOf(s) === spanId(append1!));
    const ofSecond = processing.filter((s) => parentOf(s) === spanId(append2!));
    expect(ofFirst.map((s) => s.attributes['webshop.outcome']).sort()).toEqual(['applied', 'duplicate']);
    expect(ofSecond.map((s) => s.attributes['webshop.outcome'])).toEqual(['applied']);
    // The second update was appended while the first was processed: inside that processing (and
    // its transaction, when the record was applied alone).
    const applied = ofFirst.find((s) => s.attributes['webshop.outcome'] === 'applied')!;
    const ancestors = (span: ReadableSpan): ReadableSpan[] => {
      const parent = spans.find((s) => spanId(s) === parentOf(span));
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    expect(ancestors(append2!).map((s) => s.name)).toEqual(expect.arrayContaining(['process ProductUpdated']));
    expect(ancestors(append2!).find((s) => s.name === 'process ProductUpdated')).toBe(applied);
    expect(ancestors(append2!).at(-1)).toBe(root);
    expect(applied.attributes['messaging.consumer.group.name']).toBe(`${prefix}stock`);
  });
});
