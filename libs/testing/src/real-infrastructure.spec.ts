/**
 * Proof that every test run talks to a real broker and a real database: a topic is created,
 * keyed records with headers go through a consumer group whose offsets are committed and read back
 * from the broker, and rows are written and read in a Postgres database of the suite's own.
 */
import { connectProducer, createAdmin, startReader, type KafkaClient } from '@webshop/kafka';
import { createTestDatabase, createTestTopic, testKafka, uniqueName, waitFor, type TestDatabase } from './index';

describe('the real infrastructure every suite gets', () => {
  let kafka: KafkaClient;
  let db: TestDatabase;

  beforeAll(async () => {
    kafka = testKafka('infrastructure-proof');
    db = await createTestDatabase('proof');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('runs Apache Kafka 4 (KRaft) that the client can administer', async () => {
    const admin = createAdmin(kafka);
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.length).toBeGreaterThanOrEqual(1);
      expect(cluster.controller).not.toBeNull();
    } finally {
      await admin.disconnect();
    }
  });

  it('produces keyed records with headers and consumes them in a group that commits offsets', async () => {
    const topic = await createTestTopic(kafka, 'proof', 3);
    const groupId = uniqueName('proof-group');
    const producer = await connectProducer(kafka);
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `key-${i % 5}`,
      value: `value-${i}`,
      headers: { 'event-type': 'ProofRecorded', 'event-id': `id-${i}` },
    }));
    await producer.send(topic, sent);
    await producer.disconnect();

    const received: Array<{ key: string; value: string; eventId: string; partition: number }> = [];
    const reader = await startReader(kafka, { groupId, topics: [topic], commit: 'each' }, (message, { partition }) => {
      received.push({
        key: message.key!.toString(),
        value: message.value!.toString(),
        eventId: message.headers!['event-id']!.toString(),
        partition,
      });
    });
    await waitFor(() => received.length === sent.length, { description: 'all 30 records consumed' });
    await reader.stop();

    // Same key, same partition, in the order sent.
    for (let k = 0; k < 5; k++) {
      const ofKey = received.filter((r) => r.key === `key-${k}`);
      expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
      expect(ofKey.map((r) => r.value)).toEqual(sent.filter((s) => s.key === `key-${k}`).map((s) => s.value));
    }
    expect(received.map((r) => r.eventId).sort()).toEqual(sent.map((s) => s.headers['event-id']).sort());

    // The committed offsets are the broker's, read back through the admin API.
    const admin = createAdmin(kafka);
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const total = committed!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(total).toBe(sent.length);
    } finally {
      await admin.disconnect();
    }
  });

  it('writes and reads rows in a Postgres database of its own', async () => {
    await db.pool.query('CREATE TABLE proof (id int PRIMARY KEY, note text NOT NULL)');
    await db.pool.query("INSERT INTO proof VALUES (1, 'one'), (2, 'two')");
    const { rows } = await db.pool.query('SELECT id, note FROM proof ORDER BY id');
    expect(rows).toEqual([
      { id: 1, note: 'one' },
      { id: 2, note: 'two' },
    ]);
    const { rows: version } = await db.pool.query<{ server_version_num: string }>('SHOW server_version_num');
    expect(Number(version[0]!.server_version_num)).toBeGreaterThanOrEqual(140000);
  });
});
