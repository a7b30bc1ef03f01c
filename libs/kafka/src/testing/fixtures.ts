/** Test fixtures for the messaging plumbing: real topics, a real database, real events. */
import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import type { EventData } from '@webshop/events';
import { migrate, type Pool } from '@webshop/postgres';
import { uniqueName, waitFor } from '@webshop/testing-core';
import { messagingMigrations } from '../index';
import { kafkajsOf, ensureTopics, type KafkaClient } from '../kafka-client';
import { encodeRecord } from '../outbox';

export { recordEffect } from './fixtures-effects';

/** A prefix that gives a test its own copy of every topic on the shared broker. */
export const uniquePrefix = (label: string) => `${uniqueName(label).replace(/_/g, '-')}.`;

/** The messaging tables plus `applied`, where test handlers leave one row per effect. */
export async function prepareDatabase(pool: Pool): Promise<void> {
  await migrate(pool, [
    ...messagingMigrations,
    { id: '100_applied', sql: 'CREATE TABLE applied (id bigserial PRIMARY KEY, event_id uuid NOT NULL, sku text NOT NULL, seq int NOT NULL)' },
  ]);
}

export const productUpdated = (sku: string, seq: number): EventData<'ProductUpdated'> => ({
  sku,
  name: `Product ${sku}`,
  priceCents: 1000 + seq,
  available: seq,
  reserved: 0,
  updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq % 60)).toISOString(),
});


/**
 * A correctly enveloped ProductUpdated record, as the relay writes it: its writer's (stock's)
 * `encodeRecord`, with the full envelope consumers insist on (read-record.ts).
 */
export function productRecord(sku: string, seq: number, eventId: string = randomUUID()) {
  const { key, value, headers } = encodeRecord({ type: 'ProductUpdated', data: productUpdated(sku, seq), eventId }, 'stock');
  return { key, value, headers };
}

/** Sends `messages` in one request, acks=all; a message with a `partition` goes there, the others by key. */
export async function produce(
  kafka: KafkaClient,
  topic: string,
  messages: Array<{ key: string; value: Buffer; headers?: Record<string, string>; partition?: number }>,
) {
  // Idempotent: a send retried on a loaded machine (its first attempt timed out, yet was written)
  // would otherwise write its records twice, and a test that counts them would count wrong.
  const producer = kafkajsOf(kafka).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads every record of `topic` from the beginning until `count` arrived. The topic may be created
 * at this very moment by a producer's auto-creation: wait for its leaders first, or kafkajs' subscribe
 * fails on its first metadata request with "This server does not host this topic-partition".
 */
export async function readTopic(kafka: KafkaClient, topic: string, count: number, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const received: KafkaMessage[] = [];
  await ensureTopics(kafka, [topic]);
  const consumer = kafkajsOf(kafka).consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
  try {
    await waitFor(() => received.length >= count, { timeoutMs, description: `${count} records on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

export async function appliedRows(pool: Pool): Promise<Array<{ event_id: string; sku: string; seq: number }>> {
  const { rows } = await pool.query('SELECT event_id, sku, seq FROM applied ORDER BY id');
  return rows;
}

/** Every sku's effects are 1..n in the order applied. */
export function expectOrderedPerKey(rows: Array<{ sku: string; seq: number }>, perKey: number): void {
  const bySku = new Map<string, number[]>();
  for (const row of rows) bySku.set(row.sku, [...(bySku.get(row.sku) ?? []), row.seq]);
  for (const [sku, seqs] of bySku) {
    expect({ sku, seqs }).toEqual({ sku, seqs: Array.from({ length: perKey }, (_, i) => i + 1) });
  }
}
