/**
 * The baseline hop, written the way a careful hand-written service would do it with nothing but
 * kafkajs and pg: per batch of up to 100 records, ONE pg transaction with three set-based
 * statements (inbox insert ON CONFLICT DO NOTHING, state upsert, an outbox-like insert), then the
 * outgoing records produced (idempotent, acks=all), then the offsets committed. No relay: the
 * producing happens right after the commit, which a real service could only do by giving up the
 * outbox's guarantee; that is what makes it the floor the project's hop is compared with.
 *
 * This is the only file of the project outside libs/kafka that imports kafkajs (the lint rule's
 * exception below): the baseline is bare kafkajs by definition. It also deletes the run's topics,
 * which the shop's admin interface (libs/kafka/src/client.ts) has no call for.
 */
// eslint-disable-next-line no-restricted-imports -- the baseline measures bare kafkajs itself
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Header } from '@webshop/kafka';
import { withTransaction, type Pool } from '@webshop/postgres';

export const bareHopSchema = `
  CREATE TABLE inbox  (event_id uuid PRIMARY KEY);
  CREATE TABLE state  (sku text PRIMARY KEY, seq int NOT NULL);
  CREATE TABLE outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL, key text NOT NULL, payload bytea NOT NULL);
`;

const CHUNK = 100;

export interface BareHop {
  /** Resolves once the consumer has joined its group. */
  joined: Promise<void>;
  stop(): Promise<void>;
}

const bareKafka = (brokers: string[], clientId: string) => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING });

export async function startBareHop({ brokers, pool, from, to, groupId }: { brokers: string[]; pool: Pool; from: string; to: string; groupId: string }): Promise<BareHop> {
  const kafka = bareKafka(brokers, 'bench-bare-hop');
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer: Consumer = kafka.consumer({ groupId });
  await Promise.all([producer.connect(), consumer.connect()]);
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.subscribe({ topics: [from], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      for (let i = 0; i < batch.messages.length; i += CHUNK) {
        const chunk = batch.messages.slice(i, i + CHUNK);
        const ids = chunk.map((m) => String(m.headers?.[Header.eventId]));
        const keys = chunk.map((m) => String(m.key));
        const seqs = chunk.map((m) => Number(m.offset));
        const values = chunk.map((m) => m.value!);
        // One transaction, three set-based statements.
        await withTransaction(pool, async (tx) => {
          await tx.query('INSERT INTO inbox (event_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING', [ids]);
          await tx.query(
            `INSERT INTO state (sku, seq) SELECT DISTINCT ON (k) k, s FROM unnest($1::text[], $2::int[]) AS u(k, s) ORDER BY k, s DESC
             ON CONFLICT (sku) DO UPDATE SET seq = EXCLUDED.seq`,
            [keys, seqs],
          );
          await tx.query('INSERT INTO outbox (event_id, key, payload) SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[])', [ids, keys, values]);
        });
        await producer.send({ topic: to, acks: -1, messages: chunk.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
        resolveOffset(chunk.at(-1)!.offset);
        await commitOffsetsIfNecessary();
        await heartbeat();
      }
    },
  });
  return {
    joined,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** Deletes every topic whose name starts with `prefix` (the run's own). */
export async function deleteTopicsWithPrefix(brokers: string[], prefix: string): Promise<number> {
  const admin = bareKafka(brokers, 'bench-cleanup').admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 30_000 });
    return mine.length;
  } finally {
    await admin.disconnect();
  }
}
