import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { topics } from '@webshop/events';
import { createTestDatabase, testKafka, waitFor, type TestDatabase } from '@webshop/testing';
import { createConsumerRunner, type ConsumerRunner, type EventHandlers, type Outcome } from './consumer-runner';
import { DlqHeader } from './dead-letter';
import { NonRetriableError } from './errors';
import {
  appliedRows,
  prepareDatabase,
  produce,
  productRecord,
  readTopic,
  recordEffect,
  uniquePrefix,
} from './testing/fixtures';

describe('the consumer runner', () => {
  let kafka: Kafka;
  let db: TestDatabase;
  const runners: ConsumerRunner[] = [];

  beforeAll(async () => {
    kafka = testKafka('consumer-runner-test');
    db = await createTestDatabase('consumer');
    await prepareDatabase(db.pool);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });
  afterAll(() => db.drop());

  async function startRunner(prefix: string, handlers: EventHandlers, outcomes: Outcome[] = []) {
    const runner = createConsumerRunner({
      kafka,
      pool: db.pool,
      service: 'orders',
      groupId: `${prefix}orders`,
      topics: [topics.products],
      topicPrefix: prefix,
      handlers,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    runners.push(runner);
    await runner.start();
    return runner;
  }

  const recordingHandlers: EventHandlers = {
    ProductUpdated: (event, tx) => recordEffect(tx, event.eventId, event.data),
  };

  it('applies an event delivered twice only once', async () => {
    const prefix = uniquePrefix('twice');
    const outcomes: Outcome[] = [];
    await startRunner(prefix, recordingHandlers, outcomes);
    const eventId = randomUUID();
    const record = productRecord(`sku-${eventId}`, 1, eventId);
    await produce(kafka, `${prefix}products`, [record, record]);

    await waitFor(() => outcomes.length === 2, { description: 'both deliveries handled' });
    expect(outcomes).toEqual(['applied', 'duplicate']);
    const rows = (await appliedRows(db.pool)).filter((r) => r.event_id === eventId);
    expect(rows).toHaveLength(1);
  });

  it('applies an event whose id another producer wrote in upper case once, and knows it again in lower case', async () => {
    const prefix = uniquePrefix('upper');
    const outcomes: Outcome[] = [];
    await startRunner(prefix, recordingHandlers, outcomes);
    const eventId = randomUUID();
    const sku = `sku-${eventId}`;
    // Two in one send (one run) and the same again later (a run of its own).
    await produce(kafka, `${prefix}products`, [productRecord(sku, 1, eventId.toUpperCase()), productRecord(sku, 1, eventId)]);
    await waitFor(() => outcomes.length === 2, { description: 'both deliveries handled' });
    await produce(kafka, `${prefix}products`, [productRecord(sku, 1, eventId.toUpperCase())]);
    await waitFor(() => outcomes.length === 3, { description: 'the late redelivery handled' });

    expect(outcomes).toEqual(['applied', 'duplicate', 'duplicate']);
    expect((await appliedRows(db.pool)).filter((r) => r.event_id === eventId)).toHaveLength(1);
  });

  it('sends random bytes, a wrong magic byte and an unknown schema to the dead-letter topic and goes on', async () => {
    const prefix = uniquePrefix('poison');
    const outcomes: Outcome[] = [];
    await startRunner(prefix, recordingHandlers, outcomes);
    const sku = `sku-${randomUUID()}`;
    const good = productRecord(sku, 1);
    const random = randomBytes(40);
    random[0] = 0x00; // random, but never by chance the magic
    const wrongMagic = Buffer.from(good.value);
    wrongMagic[0] = 0xc4;
    const unknownSchema = Buffer.concat([Buffer.from([0xc3, 0x01]), randomBytes(8), good.value.subarray(10)]);
    const poison = [random, wrongMagic, unknownSchema].map((value) => ({ ...productRecord(sku, 0), value }));
    // All on one key, so one partition: the good record comes after the three poison ones.
    await produce(kafka, `${prefix}products`, [...poison, good]);

    await waitFor(() => outcomes.length === 4, { description: 'four records handled' });
    expect(outcomes).toEqual(['dead-lettered', 'dead-lettered', 'dead-lettered', 'applied']);
    expect((await appliedRows(db.pool)).filter((r) => r.sku === sku)).toEqual([{ event_id: good.headers['event-id'], sku, seq: 1 }]);

    const dead = await readTopic(kafka, `${prefix}products.dlq.orders`, 3);
    expect(dead.map((m) => m.headers![DlqHeader.reason]!.toString())).toEqual(['bad_magic', 'bad_magic', 'unknown_schema']);
    expect(dead.map((m) => m.value)).toEqual(poison.map((p) => p.value)); // the original bytes, untouched
    for (const message of dead) {
      expect(message.headers![DlqHeader.sourceTopic]!.toString()).toBe(`${prefix}products`);
      expect(message.headers![DlqHeader.error]!.toString().length).toBeGreaterThan(0);
      expect(message.headers!['event-type']!.toString()).toBe('ProductUpdated'); // original headers kept
    }
  });

  it("dead-letters an event the handler refuses by a business rule, and retries a retriable failure without skipping", async () => {
    const prefix = uniquePrefix('handler-errors');
    const outcomes: Outcome[] = [];
    let hiccups = 2;
    await startRunner(
      prefix,
      {
        ProductUpdated: async (event, tx) => {
          if (event.data.available === 2) throw new NonRetriableError('not_allowed', 'seq 2 breaks a rule');
          if (event.data.available === 3 && hiccups-- > 0) throw Object.assign(new Error('database hiccup'), { retriable: true });
          await recordEffect(tx, event.eventId, event.data);
        },
      },
      outcomes,
    );
    const sku = `sku-${randomUUID()}`;
    await produce(kafka, `${prefix}products`, [1, 2, 3, 4].map((seq) => productRecord(sku, seq)));

    await waitFor(() => outcomes.length === 4, { description: 'four records handled' });
    expect(outcomes).toEqual(['applied', 'dead-lettered', 'applied', 'applied']);
    expect((await appliedRows(db.pool)).filter((r) => r.sku === sku).map((r) => r.seq)).toEqual([1, 3, 4]);
    const [dead] = await readTopic(kafka, `${prefix}products.dlq.orders`, 1);
    expect(dead!.headers![DlqHeader.reason]!.toString()).toBe('not_allowed');
    // The refused event left no trace in the inbox: its transaction was rolled back whole.
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM inbox WHERE event_id = $1', [
      dead!.headers!['event-id']!.toString(),
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('ignores event types it has no handler for, without touching the inbox', async () => {
    const prefix = uniquePrefix('ignored');
    const outcomes: Outcome[] = [];
    await startRunner(prefix, {}, outcomes);
    const record = productRecord(`sku-${randomUUID()}`, 1);
    await produce(kafka, `${prefix}products`, [record]);
    await waitFor(() => outcomes.length === 1);
    expect(outcomes).toEqual(['ignored']);
  });
});
