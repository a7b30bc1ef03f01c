/**
 * 10,000 events through the whole path: outbox (in the writers' transactions) → relay → Kafka →
 * consumer runner (inbox + effect in one transaction). None lost, none applied twice, order per key
 * kept. Reports events per second end to end, next to a baseline measured in the same run: the same
 * records produced and consumed with bare kafkajs, no database on either side. Nothing here asserts
 * on time.
 */
import { topics } from '@webshop/events';
import { withTransaction } from '@webshop/postgres';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { testKafka } from './testing';
import { uniqueName, waitFor } from '@webshop/testing-core';
import { createConsumerRunner } from './consumer-runner';
import { ensureTopics, kafkajsOf, type KafkaClient } from './kafka-client';
import { appendToOutbox } from './outbox';
import { createOutboxRelay } from './outbox-relay';
import { appliedRows, expectOrderedPerKey, prepareDatabase, productRecord, productUpdated, recordEffect, uniquePrefix } from './testing/fixtures';

const KEYS = 100;
const PER_KEY = 100;
const TOTAL = KEYS * PER_KEY;

describe('10,000 events through outbox, Kafka and inbox', () => {
  let kafka: KafkaClient;
  let source: TestDatabase;
  let sink: TestDatabase;

  beforeAll(async () => {
    kafka = testKafka('throughput-test');
    [source, sink] = await Promise.all([createTestDatabase('tp_source'), createTestDatabase('tp_sink')]);
    await Promise.all([prepareDatabase(source.pool), prepareDatabase(sink.pool)]);
  });
  afterAll(async () => {
    await Promise.all([source.drop(), sink.drop()]);
  });

  it('loses none, applies none twice and keeps the order of every key', async () => {
    const prefix = uniquePrefix('throughput');
    const relay = createOutboxRelay({ pool: source.pool, kafka, service: 'stock', topicPrefix: prefix });
    const consumer = createConsumerRunner({
      kafka,
      pool: sink.pool,
      service: 'orders',
      groupId: uniqueName('throughput'),
      topics: [topics.products],
      topicPrefix: prefix,
      handlers: { ProductUpdated: (event, tx) => recordEffect(tx, event.eventId, event.data) },
    });
    await consumer.start();
    relay.start();

    const started = process.hrtime.bigint();
    // Writers: 100 transactions of 100 events (one seq of every key each).
    for (let seq = 1; seq <= PER_KEY; seq++) {
      await withTransaction(source.pool, (tx) =>
        appendToOutbox(tx, 'stock', Array.from({ length: KEYS }, (_, k) => ({ type: 'ProductUpdated' as const, data: productUpdated(`sku-${k}`, seq) }))),
      );
    }
    const written = process.hrtime.bigint();
    await waitFor(async () => (await relay.backlog()) === 0, { timeoutMs: 300_000, intervalMs: 100, description: 'outbox drained' });
    const relayed = process.hrtime.bigint();
    await waitFor(async () => (await sink.pool.query('SELECT count(*)::int AS n FROM applied')).rows[0].n >= TOTAL, {
      timeoutMs: 300_000,
      intervalMs: 200,
      description: 'all 10,000 events applied',
    });
    const finished = process.hrtime.bigint();
    await Promise.all([relay.stop(), consumer.stop()]);

    const rows = await appliedRows(sink.pool);
    expect(rows).toHaveLength(TOTAL);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(TOTAL);
    expectOrderedPerKey(rows, PER_KEY);

    const baselineSeconds = await bareKafkaBaseline(kafka);
    const seconds = Number(finished - started) / 1e9;
    process.stdout.write(
      `\n[throughput] ${TOTAL} events outbox→Kafka→inbox: ${seconds.toFixed(2)} s, ${Math.round(TOTAL / seconds)} events/s ` +
        `(outbox written after ${(Number(written - started) / 1e9).toFixed(2)} s, all published after ${(Number(relayed - started) / 1e9).toFixed(2)} s); ` +
        `baseline bare kafkajs produce+consume of the same records: ${baselineSeconds.toFixed(2)} s, ${Math.round(TOTAL / baselineSeconds)} events/s\n`,
    );
  }, 400_000);
});

/** The same 10,000 records produced (acks=all, idempotent) and consumed with kafkajs alone. */
async function bareKafkaBaseline(kafka: KafkaClient): Promise<number> {
  const topic = `${uniquePrefix('baseline')}products`;
  await ensureTopics(kafka, [topic], 3);
  const records = [];
  for (let seq = 1; seq <= PER_KEY; seq++) for (let k = 0; k < KEYS; k++) records.push(productRecord(`sku-${k}`, seq));

  const consumer = kafkajsOf(kafka).consumer({ groupId: uniqueName('baseline') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let received = 0;
  await consumer.run({ eachBatch: async ({ batch }) => void (received += batch.messages.length) });
  const producer = kafkajsOf(kafka).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += 500) await producer.send({ topic, acks: -1, messages: records.slice(i, i + 500) });
  await waitFor(() => received >= TOTAL, { timeoutMs: 120_000, description: 'baseline records consumed' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  return seconds;
}
