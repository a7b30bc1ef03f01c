/**
 * The poison step: on every topic a service reads, records no consumer may apply: random bytes,
 * an unknown schema fingerprint, a body that breaks its Avro schema, valid Avro that breaks the
 * validators, an envelope with a header missing, one that lies about the value, and one from a
 * service that is not the topic's writer. Each must reach `<topic>.dlq.<service>` of every
 * consumer of the topic with its reason; an order placed right after must still complete.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { fingerprintOf, type EventData, type EventType } from '@webshop/events';
import { connectProducer, encodeRecord, Header, type KafkaClient } from '@webshop/kafka';
import { consumedTopics, POISON_HEADER, type DeadLetter } from './kafka-state';
import { TOPIC_PREFIX } from './supervisor';

const schemasDir = path.resolve(__dirname, '../../../libs/events/schemas');

/** A valid event per topic, about an order (or sku) nobody knows. */
function validEvent(topic: string): { type: EventType; data: EventData<EventType>; writer: 'orders' | 'payment' | 'stock' | 'shipping' | 'email' } {
  const orderId = randomUUID();
  const at = new Date().toISOString();
  switch (topic) {
    case 'orders':
      return { type: 'OrderConfirmed', writer: 'orders', data: { orderId, paymentId: randomUUID(), confirmedAt: at } as never };
    case 'payments':
      return { type: 'PaymentDeclined', writer: 'payment', data: { orderId, customerId: 'poison', amountCents: 100, reason: 'NO_ACCOUNT', declinedAt: at } as never };
    case 'stock':
      return { type: 'StockUnavailable', writer: 'stock', data: { orderId, missing: [{ sku: 'POISON', requested: 2, available: 1 }], checkedAt: at } as never };
    case 'products':
      return { type: 'ProductUpdated', writer: 'stock', data: { sku: `POISON-${orderId.slice(0, 8)}`, name: 'Poison', priceCents: 100, available: 1, reserved: 0, updatedAt: at } as never };
    case 'shipments':
      return { type: 'ShipmentScheduled', writer: 'shipping', data: { orderId, shipmentId: randomUUID(), trackingNumber: null, at } as never };
    case 'emails':
      return { type: 'EmailSent', writer: 'email', data: { orderId, emailId: randomUUID(), to: 'poison@example.com', template: 'ORDER_CONFIRMED', sentAt: at } as never };
    default:
      throw new Error(`no poison for ${topic}`);
  }
}

/** The latest Avro schema of a type, straight from its .avsc (the encoder that skips validation). */
function avroType(type: EventType): avro.Type {
  const versions = readdirSync(schemasDir).filter((f) => f.startsWith(`${type}.v`)).sort((a, b) => Number(a.split('.v')[1]!.split('.')[0]) - Number(b.split('.v')[1]!.split('.')[0]));
  return avro.Type.forSchema(JSON.parse(readFileSync(path.join(schemasDir, versions.at(-1)!), 'utf8')));
}

const toAvro = (data: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : v]));

export interface PoisonRecord {
  id: string;
  topic: string;
  what: string;
  /** Reasons that are right for it (random bytes may be `bad_magic` or `too_short`). */
  reasons: string[];
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

export function poisonRecords(topic: string): PoisonRecord[] {
  const base = validEvent(topic);
  const good = encodeRecord({ type: base.type, data: base.data } as never, base.writer);
  const header = Buffer.concat([Buffer.from([0xc3, 0x01]), Buffer.from(fingerprintOf(base.type), 'hex')]);
  const make = (what: string, reasons: string[], value: Buffer, headers: Record<string, string> = good.headers): PoisonRecord => {
    const id = randomUUID();
    return { id, topic, what, reasons, key: good.key, value, headers: { ...headers, [POISON_HEADER]: id } };
  };
  const broken = { ...toAvro(base.data as never) };
  // Valid Avro, but the ids are no UUIDs (or the sku empty, the price negative).
  if ('orderId' in broken) broken['orderId'] = 'not-a-uuid';
  else Object.assign(broken, { sku: '', priceCents: -5 });
  const withoutEventId = { ...good.headers };
  delete withoutEventId[Header.eventId];
  const otherWriter = ['orders', 'payment', 'stock', 'shipping', 'email'].find((s) => s !== base.writer)!;
  return [
    make('random bytes', ['bad_magic', 'too_short'], randomBytes(1 + Math.floor(Math.random() * 40)).fill(0x00, 0, 1)),
    make('an unknown fingerprint', ['unknown_schema'], Buffer.concat([Buffer.from([0xc3, 0x01]), randomBytes(8), good.value.subarray(10)])),
    make('a body that breaks its schema', ['corrupt_body'], Buffer.concat([header, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])])),
    make('valid Avro that breaks the validators', ['invalid_data'], Buffer.concat([header, avroType(base.type).toBuffer(broken)])),
    make('a missing envelope header (event-id)', ['invalid_envelope'], good.value, withoutEventId),
    make('a lying envelope (event-type)', ['invalid_envelope'], good.value, { ...good.headers, [Header.eventType]: topic === 'orders' ? 'OrderRejected' : 'PurchaseRequested' }),
    make('a foreign writer', ['foreign_writer'], good.value, { ...good.headers, [Header.producer]: otherWriter }),
  ];
}

/** Writes the poison to every topic that is read; answers what each consumer must dead-letter. */
export async function sendPoison(kafka: KafkaClient): Promise<Array<PoisonRecord & { consumers: string[] }>> {
  const read = [...new Set(Object.values(consumedTopics).flat())];
  const all = read.flatMap((topic) => poisonRecords(topic).map((r) => ({ ...r, consumers: Object.entries(consumedTopics).filter(([, ts]) => ts.includes(topic)).map(([s]) => s) })));
  const producer = await connectProducer(kafka, { idempotent: false });
  try {
    for (const topic of read) {
      await producer.send(TOPIC_PREFIX + topic, all.filter((r) => r.topic === topic).map(({ key, value, headers }) => ({ key, value, headers })));
    }
  } finally {
    await producer.disconnect();
  }
  return all;
}

/** For each poison record and each of its consumers: where it went, and with which reason. */
export function poisonFindings(sent: ReadonlyArray<PoisonRecord & { consumers: string[] }>, letters: readonly DeadLetter[]): { passed: string[]; failed: string[] } {
  const passed: string[] = [];
  const failed: string[] = [];
  for (const r of sent) {
    for (const consumer of r.consumers) {
      const letter = letters.find((l) => l.poisonId === r.id && l.consumer === consumer && l.topic === `${TOPIC_PREFIX}${r.topic}.dlq.${consumer}`);
      const label = `${r.topic} → ${consumer}: ${r.what}`;
      if (!letter) failed.push(`${label}: not dead-lettered`);
      else if (!r.reasons.includes(letter.reason)) failed.push(`${label}: dead-lettered as ${letter.reason}, expected ${r.reasons.join(' or ')} (${letter.error.slice(0, 100)})`);
      else passed.push(`${label}: ${letter.reason}`);
    }
  }
  return { passed, failed };
}
