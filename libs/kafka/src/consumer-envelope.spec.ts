/**
 * Records the envelope forbids, on the real broker and database: each one lands on the dead-letter
 * topic with its reason, its handler never runs (no effect, nothing in the inbox), and the good
 * record behind it on the same partition is applied.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { fingerprintOf, topics, type EventData } from '@webshop/events';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { testKafka } from './testing';
import { uniqueName, waitFor } from '@webshop/testing-core';
import { createConsumerRunner, type ConsumerRunner } from './consumer-runner';
import { DlqHeader } from './dead-letter';
import { Header, type AnyOutgoingEvent } from './envelope';
import { encodeRecord, type EncodedRecord } from './outbox';
import { prepareDatabase, productUpdated, recordEffect, uniquePrefix } from './testing/fixtures';
import { kafkajsOf, type KafkaClient } from './kafka-client';

type Alteration = { key?: string | null; headers?: Record<string, string | undefined> };
type TopicKey = 'products' | 'orders' | 'payments';

const purchase = (orderId: string, totalCents: number): AnyOutgoingEvent => ({
  type: 'PurchaseRequested',
  data: {
    orderId,
    customerId: 'ada',
    email: 'ada@example.com',
    items: [{ sku: 'TEA-1', quantity: 1, unitPriceCents: totalCents }],
    totalCents,
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    requestedAt: new Date().toISOString(),
  },
});
const product = (sku: string, seq: number): AnyOutgoingEvent => ({ type: 'ProductUpdated', data: productUpdated(sku, seq) });

describe('the consumer runner refuses records the envelope forbids', () => {
  let kafka: KafkaClient;
  let db: TestDatabase;
  let runner: ConsumerRunner;
  let dlqReader: Consumer;
  const prefix = uniquePrefix('envelope');
  const groupId = `${prefix}orders`;
  /** Every event a handler was called with, by the data it carried. */
  const handled: Array<{ type: string; eventId: string; data: unknown }> = [];
  const deadLetters: KafkaMessage[] = [];

  beforeAll(async () => {
    kafka = testKafka('envelope-test');
    db = await createTestDatabase('envelope');
    await prepareDatabase(db.pool);
    const remember = (event: { type: string; eventId: string; data: unknown }) => void handled.push({ type: event.type, eventId: event.eventId, data: event.data });
    runner = createConsumerRunner({
      kafka,
      pool: db.pool,
      service: 'orders',
      groupId,
      topics: [topics.products, topics.orders, topics.payments],
      topicPrefix: prefix,
      handlers: {
        ProductUpdated: async (event, tx) => {
          remember(event);
          await recordEffect(tx, event.eventId, event.data);
        },
        PurchaseRequested: async (event, tx) => {
          remember(event);
          await recordEffect(tx, event.eventId, { ...productUpdated(event.data.orderId, 0), available: event.data.totalCents });
        },
        OrderConfirmed: async (event, tx) => {
          remember(event);
          await recordEffect(tx, event.eventId, productUpdated(event.data.orderId, -1));
        },
        PaymentProcessed: async (event, tx) => {
          remember(event);
          await recordEffect(tx, event.eventId, productUpdated(event.data.orderId, -2));
        },
      },
    });
    await runner.start(); // creates the topics and their dead-letter topics
    dlqReader = kafkajsOf(kafka).consumer({ groupId: uniqueName('dlq-reader') });
    await dlqReader.connect();
    await dlqReader.subscribe({ topics: (['products', 'orders', 'payments'] as const).map((t) => `${prefix}${t}.dlq.orders`), fromBeginning: true });
    await dlqReader.run({ eachMessage: async ({ message }) => void deadLetters.push(message) });
    await waitFor(() => runner.isRunning(), { description: 'the runner joined its group' });
  }, 60_000);
  afterAll(async () => {
    await dlqReader?.disconnect();
    await runner?.stop();
    await db.drop();
  });

  /**
   * Sends `bad` (as its writer encodes it, then altered) and `good` right behind it on partition 0
   * of `topic`; waits until the good one is applied; answers where the bad one was.
   */
  async function sendBadThenGood(topic: TopicKey, bad: EncodedRecord, alter: Alteration, good: EncodedRecord) {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...bad.headers, ...alter.headers })) if (value !== undefined) headers[name] = value;
    const producer = kafkajsOf(kafka).producer();
    await producer.connect();
    let badOffset: string;
    try {
      const [sent] = await producer.send({
        topic: prefix + topic,
        acks: -1,
        messages: [
          { partition: 0, key: 'key' in alter ? alter.key : bad.key, value: bad.value, headers },
          { partition: 0, key: good.key, value: good.value, headers: good.headers },
        ],
      });
      badOffset = sent!.baseOffset!;
    } finally {
      await producer.disconnect();
    }
    await waitFor(() => handled.some((h) => h.eventId === good.eventId), { description: 'the good record behind it applied' });
    return { topic: prefix + topic, offset: badOffset };
  }

  async function expectRefused(where: { topic: string; offset: string }, bad: EncodedRecord, reason: string) {
    const dead = await waitFor(
      () =>
        deadLetters.find(
          (m) => m.headers![DlqHeader.sourceTopic]!.toString() === where.topic && m.headers![DlqHeader.sourceOffset]!.toString() === where.offset,
        ),
      { description: `the refused record on the dead-letter topic of ${where.topic}` },
    );
    expect(dead.headers![DlqHeader.reason]!.toString()).toBe(reason);
    expect(dead.value).toEqual(bad.value);
    // Its handler never ran, it left no effect and the inbox does not know it.
    expect(handled.filter((h) => h.eventId === bad.eventId)).toEqual([]);
    const effects = await db.pool.query('SELECT count(*)::int AS n FROM applied WHERE event_id = $1', [bad.eventId]);
    expect(effects.rows[0].n).toBe(0);
    const inbox = await db.pool.query('SELECT count(*)::int AS n FROM inbox WHERE consumer = $1 AND (event_id = $2 OR (topic = $3 AND "offset" = $4))', [
      groupId,
      bad.eventId,
      where.topic,
      where.offset,
    ]);
    expect(inbox.rows[0].n).toBe(0);
  }

  /** A bad and a good ProductUpdated about a sku of their own, as stock writes them. */
  const productPair = () => {
    const sku = `sku-${randomUUID()}`;
    return { bad: encodeRecord(product(sku, 1), 'stock'), good: encodeRecord(product(sku, 2), 'stock') };
  };

  it.each([Header.eventType, Header.eventId, Header.producer, Header.occurredAt, Header.schemaFingerprint])(
    'dead-letters a record without the %s header as invalid_envelope',
    async (name) => {
      const { bad, good } = productPair();
      const where = await sendBadThenGood('products', bad, { headers: { [name]: undefined } }, good);
      await expectRefused(where, bad, 'invalid_envelope');
    },
  );

  it('dead-letters a record whose event-type header lies about the value as invalid_envelope', async () => {
    const { bad, good } = productPair();
    const where = await sendBadThenGood('products', bad, { headers: { [Header.eventType]: 'PurchaseRequested' } }, good);
    await expectRefused(where, bad, 'invalid_envelope');
  });

  it('dead-letters a record whose schema-fingerprint header is not the one in the value as invalid_envelope', async () => {
    const { bad, good } = productPair();
    const where = await sendBadThenGood('products', bad, { headers: { [Header.schemaFingerprint]: fingerprintOf('ProductUpdated', 1) } }, good);
    await expectRefused(where, bad, 'invalid_envelope');
  });

  it("dead-letters a record whose key is not the event's sku as invalid_envelope", async () => {
    const { bad, good } = productPair();
    const where = await sendBadThenGood('products', bad, { key: `sku-${randomUUID()}` }, good);
    await expectRefused(where, bad, 'invalid_envelope');
  });

  it('dead-letters a record a stranger wrote to the products topic as foreign_writer', async () => {
    const { bad, good } = productPair();
    const where = await sendBadThenGood('products', bad, { headers: { [Header.producer]: 'stranger' } }, good);
    await expectRefused(where, bad, 'foreign_writer');
  });

  it('dead-letters a PurchaseRequested that payment wrote to the orders topic as foreign_writer', async () => {
    const orderId = randomUUID();
    const bad = encodeRecord(purchase(orderId, 100), 'orders');
    const good = encodeRecord(purchase(orderId, 200), 'orders');
    const where = await sendBadThenGood('orders', bad, { headers: { [Header.producer]: 'payment' } }, good);
    await expectRefused(where, bad, 'foreign_writer');
    expect(handled.filter((h) => (h.data as EventData<'PurchaseRequested'>).orderId === orderId).map((h) => h.eventId)).toEqual([good.eventId]);
  });

  it('dead-letters an OrderConfirmed found on the payments topic as wrong_topic', async () => {
    const orderId = randomUUID();
    const bad = encodeRecord({ type: 'OrderConfirmed', data: { orderId, paymentId: randomUUID(), confirmedAt: new Date().toISOString() } }, 'orders');
    const good = encodeRecord(
      { type: 'PaymentProcessed', data: { orderId, paymentId: randomUUID(), customerId: 'ada', amountCents: 100, processedAt: new Date().toISOString() } },
      'payment',
    );
    const where = await sendBadThenGood('payments', bad, {}, good);
    await expectRefused(where, bad, 'wrong_topic');
  });
});
