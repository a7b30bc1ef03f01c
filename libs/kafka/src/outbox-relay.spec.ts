import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { decodeEvent } from '@webshop/events';
import { withTransaction } from '@webshop/postgres';
import { createDedicatedBroker, testBrokers, testKafka, type DedicatedBroker } from './testing';
import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { waitFor } from '@webshop/testing-core';
import { ensureTopics, type KafkaClient } from './kafka-client';
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

const root = path.resolve(__dirname, '../../..');

describe('the outbox relay', () => {
  let db: TestDatabase;
  const relays: OutboxRelay[] = [];
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    db = await createTestDatabase('relay');
    await prepareDatabase(db.pool);
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await db.drop();
  });

  /** A relay of stock's on `topicPrefix`, its topic made first as a service's start-up makes it (the broker creates none itself). */
  const relayFor = async (kafka: KafkaClient, topicPrefix: string) => {
    await ensureTopics(kafka, [`${topicPrefix}products`]);
    const relay = createOutboxRelay({ pool: db.pool, kafka, service: 'stock', topicPrefix, batchSize: 100, pollIntervalMs: 60_000 });
    relays.push(relay);
    return relay;
  };

  async function publishedInOrder(kafka: KafkaClient, topic: string, keys: string[], perKey: number) {
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

  it('says what waits (how many rows, how long the oldest has waited) and reports each publish with its duration', async () => {
    const kafka = testKafka('relay-test');
    const prefix = uniquePrefix('relay-pending');
    await ensureTopics(kafka, [`${prefix}products`]);
    const published: Array<{ events: number; seconds: number }> = [];
    const relay = createOutboxRelay({ pool: db.pool, kafka, service: 'stock', topicPrefix: prefix, onPublished: (events, seconds) => published.push({ events: events.length, seconds }) });
    relays.push(relay);
    expect(await relay.pending()).toEqual({ events: 0, oldestAgeSeconds: 0 });

    await fillOutbox(db, ['sku-a', 'sku-b'], 1, 3);
    const since = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = await relay.pending();
    expect(waiting.events).toBe(6);
    // The database's clock and ours: the oldest row was written before `since`.
    expect(waiting.oldestAgeSeconds).toBeGreaterThanOrEqual((Date.now() - since) / 1000 - 0.05);

    relay.start();
    await waitFor(async () => (await relay.pending()).events === 0, { description: 'the outbox drained' });
    expect(await relay.pending()).toEqual({ events: 0, oldestAgeSeconds: 0 });
    expect(published.reduce((n, p) => n + p.events, 0)).toBe(6);
    for (const { seconds } of published) expect(seconds).toBeGreaterThan(0);
  });

  it('publishes rows in order per key, woken by NOTIFY, with the full envelope', async () => {
    const kafka = testKafka('relay-test');
    const prefix = uniquePrefix('relay');
    const keys = ['sku-a', 'sku-b', 'sku-c'];
    (await relayFor(kafka, prefix)).start();
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

  it('publishes a row whose transaction commits after rows written later were published, and keeps only the unpublished pending', async () => {
    const kafka = testKafka('relay-gap-test');
    const prefix = uniquePrefix('gap');
    const relay = await relayFor(kafka, prefix);
    relay.start();
    // A writer takes its id (the lowest) and stays open …
    const late = await db.pool.connect();
    try {
      await late.query('BEGIN');
      await appendToOutbox(late, 'stock', [{ type: 'ProductUpdated', data: productUpdated('sku-late', 1) }]);
      // … while rows with higher ids commit and are published, scan after scan: a relay that moved
      // its scan's floor past the open row's id would never see it.
      for (let seq = 1; seq <= 4; seq++) {
        await fillOutbox(db, ['sku-early'], seq, seq);
        await waitFor(async () => (await db.pool.query('SELECT 1 FROM outbox_published')).rowCount === seq, { description: `row ${seq} published` });
      }
      await late.query('COMMIT');
    } finally {
      late.release();
    }
    const messages = await readTopic(kafka, `${prefix}products`, 5);
    expect(messages.map((m) => m.key!.toString()).sort()).toEqual(['sku-early', 'sku-early', 'sku-early', 'sku-early', 'sku-late']);
    await waitFor(async () => (await relay.backlog()) === 0, { description: 'backlog drained' });
    const { rows } = await db.pool.query<{ pending: number; published: number }>(
      `SELECT (SELECT count(*) FROM outbox_pending)::int AS pending, (SELECT count(*) FROM outbox WHERE published_at IS NOT NULL)::int AS published`,
    );
    expect(rows[0]).toEqual({ pending: 0, published: 5 });
  });

  it('refuses an event its service is not the single writer of', async () => {
    await expect(
      withTransaction(db.pool, (tx) => appendToOutbox(tx, 'orders', [{ type: 'ProductUpdated', data: productUpdated('x', 1) }])),
    ).rejects.toThrow(/orders may not publish ProductUpdated/);
  });

  it('lets only one relay publish at a time, and another takes over when it stops', async () => {
    const kafka = testKafka('relay-leader-test');
    const prefix = uniquePrefix('leader');
    const first = await relayFor(kafka, prefix);
    const second = await relayFor(kafka, prefix);
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

  it('passes leadership on when the leader freezes (SIGSTOP), and the frozen one, woken, publishes nothing out of order', async () => {
    const kafka = testKafka('relay-freeze-test');
    const prefix = uniquePrefix('freeze');
    const leaseMs = 2_000;
    await ensureTopics(kafka, [`${prefix}products`]);
    const spawnRelay = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'testing/relay-process.ts')], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS: testBrokers().join(','), TOPIC_PREFIX: prefix, LEASE_MS: String(leaseMs), TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      const said: string[] = [];
      child.stdout!.on('data', (chunk: Buffer) => said.push(...chunk.toString().split('\n').filter(Boolean)));
      return { child, said };
    };
    const first = spawnRelay();
    await waitFor(() => first.said.includes('leader'), { timeoutMs: 30_000, description: 'the first relay leads' });
    const second = spawnRelay();

    // Rows keep coming, 10 keys a transaction, every 50 ms, while the leader freezes and wakes.
    const keys = Array.from({ length: 10 }, (_, i) => `sku-f${i}`);
    let seq = 0;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        seq += 1;
        await fillOutbox(db, keys, seq, seq);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    first.child.kill('SIGSTOP');
    await waitFor(() => second.said.includes('leader'), { timeoutMs: 30_000, description: 'the second relay takes over' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    first.child.kill('SIGCONT'); // it wakes believing it leads
    await waitFor(() => first.said.includes('follower'), { timeoutMs: 30_000, description: 'the woken relay stands down' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    writing = false;
    await writer;
    await waitFor(async () => (await db.pool.query('SELECT 1 FROM outbox WHERE published_at IS NULL')).rowCount === 0, { timeoutMs: 30_000, description: 'backlog drained' });

    // Per key, the first copy of each event in the topic comes in the order the rows were written.
    await publishedInOrder(kafka, `${prefix}products`, keys, seq);
    const { rows } = await db.pool.query<{ ms: number }>('SELECT max(extract(epoch FROM published_at - created_at) * 1000)::int AS ms FROM outbox');
    process.stderr.write(`[relay] worst backlog age under a frozen leader: ${rows[0]!.ms} ms (lease ${leaseMs} ms)\n`);
    expect(rows[0]!.ms).toBeLessThan(leaseMs + 1_000 + 5_000); // the lease, a retry, and this busy machine's slack
  }, 120_000);

  describe('when the broker goes away', () => {
    let broker: DedicatedBroker;
    beforeAll(async () => {
      broker = await createDedicatedBroker();
      await broker.start();
    }, 180_000);
    afterAll(() => broker.destroy(), 120_000);

    it('keeps rows while the broker is down and publishes them all, in order per key, when it is back', async () => {
      const kafka = broker.admin('relay-outage-test');
      const prefix = uniquePrefix('outage');
      const keys = ['sku-1', 'sku-2', 'sku-3', 'sku-4'];
      const relay = await relayFor(kafka, prefix);
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

