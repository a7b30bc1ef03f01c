import type { Kafka } from 'kafkajs';
import { decodeEvent } from '@webshop/events';
import { withTransaction } from '@webshop/postgres';
import { createDedicatedBroker, createTestDatabase, testKafka, waitFor, type DedicatedBroker, type TestDatabase } from '@webshop/testing';
import { createKafka } from './kafka-client';
import { appendToOutbox } from './outbox';
import { createOutboxRelay, type OutboxRelay } from './outbox-relay';
import { prepareDatabase, productUpdated, readTopic, uniquePrefix } from './testing/fixtures';

/** Appends `perKey` ProductUpdated events for each of `keys` skus, seq 1..perKey, interleaved across transactions. */
async function fillOutbox(db: TestDatabase, keys: string[], from: number, to: number): Promise<void> {
  for (let seq = from; seq <= to; seq++) {
    await withTransaction(db.pool, (tx) =>
      appendToOutbox(tx, 'stock', keys.map((sku) => ({ type: 'ProductUpdated' as const, data: productUpdated(sku, seq) }))),
    );
  }
}

describe('the outbox relay', () => {
  let db: TestDatabase;
  const relays: OutboxRelay[] = [];

  beforeEach(async () => {
    db = await createTestDatabase('relay');
    await prepareDatabase(db.pool);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await db.drop();
  });

  const relayFor = (kafka: Kafka, topicPrefix: string) => {
    const relay = createOutboxRelay({ pool: db.pool, kafka, service: 'stock', topicPrefix, batchSize: 100, pollIntervalMs: 60_000 });
    relays.push(relay);
    return relay;
  };

  async function publishedInOrder(kafka: Kafka, topic: string, keys: string[], perKey: number) {
    const messages = await readTopic(kafka, topic, keys.length * perKey);
    const seqs = new Map<string, number[]>();
    const seen = new Set<string>();
    for (const m of messages) {
      const id = m.headers!['event-id']!.toString();
      if (seen.has(id)) continue; // a re-send after a lost acknowledgement; consumers' inboxes skip it
      seen.add(id);
      const { data } = decodeEvent(m.value!) as unknown as { data: { sku: string; available: number } };
      seqs.set(data.sku, [...(seqs.get(data.sku) ?? []), data.available]);
    }
    for (const key of keys) expect({ key, seqs: seqs.get(key) }).toEqual({ key, seqs: Array.from({ length: perKey }, (_, i) => i + 1) });
    return messages;
  }

  it('publishes rows in order per key, woken by NOTIFY, with the full envelope', async () => {
    const kafka = testKafka('relay-test');
    const prefix = uniquePrefix('relay');
    const keys = ['sku-a', 'sku-b', 'sku-c'];
    relayFor(kafka, prefix).start();
    // The safety-net poll is a minute away: only NOTIFY can make this pass in time.
    await fillOutbox(db, keys, 1, 20);
    const messages = await publishedInOrder(kafka, `${prefix}products`, keys, 20);
    await waitFor(async () => (await relays[0]!.backlog()) === 0, { description: 'backlog drained' });

    const first = messages.find((m) => m.key!.toString() === 'sku-a')!;
    const headers = Object.fromEntries(Object.entries(first.headers!).map(([k, v]) => [k, v!.toString()]));
    expect(headers).toMatchObject({
      'event-type': 'ProductUpdated',
      'correlation-id': 'sku-a',
      producer: 'stock',
    });
    expect(headers['event-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['schema-fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    expect(headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(new Date(headers['occurred-at']!).toISOString()).toBe(headers['occurred-at']);
  });

  it('refuses an event its service is not the single writer of', async () => {
    await expect(
      withTransaction(db.pool, (tx) => appendToOutbox(tx, 'orders', [{ type: 'ProductUpdated', data: productUpdated('x', 1) }])),
    ).rejects.toThrow(/orders may not publish ProductUpdated/);
  });

  it('lets only one relay publish at a time, and another takes over when it stops', async () => {
    const kafka = testKafka('relay-leader-test');
    const prefix = uniquePrefix('leader');
    const first = relayFor(kafka, prefix);
    const second = relayFor(kafka, prefix);
    first.start();
    await waitFor(() => first.isLeader(), { description: 'the first relay leads' });
    second.start();
    await fillOutbox(db, ['sku-l'], 1, 5);
    await waitFor(async () => (await first.backlog()) === 0);
    expect(second.isLeader()).toBe(false);

    await first.stop();
    await fillOutbox(db, ['sku-l'], 6, 10);
    await publishedInOrder(kafka, `${prefix}products`, ['sku-l'], 10);
    expect(second.isLeader()).toBe(true);
  });

  describe('when the broker goes away', () => {
    let broker: DedicatedBroker;
    beforeAll(async () => {
      broker = await createDedicatedBroker();
      await broker.start();
    }, 180_000);
    afterAll(() => broker.destroy(), 120_000);

    it('keeps rows while the broker is down and publishes them all, in order per key, when it is back', async () => {
      const kafka = createKafka({ clientId: 'relay-outage-test', brokers: broker.brokers });
      const prefix = uniquePrefix('outage');
      const keys = ['sku-1', 'sku-2', 'sku-3', 'sku-4'];
      const relay = relayFor(kafka, prefix);
      relay.start();
      await fillOutbox(db, keys, 1, 10);
      await waitFor(async () => (await relay.backlog()) === 0, { description: 'first rows published' });

      await broker.stop();
      await fillOutbox(db, keys, 11, 40);
      expect(await relay.backlog()).toBe(keys.length * 30); // nothing lost, nothing marked without an ack

      await broker.start();
      await waitFor(async () => (await relay.backlog()) === 0, { timeoutMs: 90_000, description: 'backlog drained after restart' });
      await publishedInOrder(kafka, `${prefix}products`, keys, 40);
    }, 240_000);
  });
});

