/**
 * readRecord on records as the outbox encodes them (encodeRecord), then altered one way at a time:
 * what a consumer may apply, and the reason for each one it must not.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { encodeEvent, fingerprintOf, type EventData } from '@webshop/events';
import { Header, type AnyOutgoingEvent } from './envelope';
import { NonRetriableError } from './errors';
import { encodeRecord, type EncodedRecord } from './outbox';
import { readRecord } from './read-record';

const orderId = randomUUID();
const purchase: EventData<'PurchaseRequested'> = {
  orderId,
  customerId: 'ada',
  email: 'ada@example.com',
  items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
  totalCents: 900,
  shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  requestedAt: '2026-11-23T18:00:00.000Z',
};
const purchaseRequested: AnyOutgoingEvent = { type: 'PurchaseRequested', data: purchase };
const orderConfirmed: AnyOutgoingEvent = { type: 'OrderConfirmed', data: { orderId, paymentId: randomUUID(), confirmedAt: '2026-11-23T18:00:01.250Z' } };

/** The Kafka message a consumer gets for `record`, with `change` applied to its key and headers. */
function asConsumed(
  record: EncodedRecord,
  change: { key?: string | null; value?: Buffer | null; headers?: Record<string, string | string[] | undefined> } = {},
): KafkaMessage {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries({ ...record.headers, ...change.headers })) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.map((v) => Buffer.from(v)) : Buffer.from(value);
  }
  const key = 'key' in change ? change.key : record.key;
  return {
    key: key === null || key === undefined ? null : Buffer.from(key),
    value: 'value' in change ? (change.value ?? null) : record.value,
    headers,
    offset: '7',
    timestamp: String(Date.now()),
    attributes: 0,
  };
}

const read = (message: KafkaMessage, topic = 'p.orders', prefix = 'p.') => readRecord(topic, 2, message, prefix);

/** The reason readRecord refuses with (and that it refuses with a NonRetriableError). */
function reasonFor(message: KafkaMessage, topic?: string, prefix?: string): string {
  try {
    read(message, topic, prefix);
  } catch (error) {
    expect(error).toBeInstanceOf(NonRetriableError);
    return (error as NonRetriableError).reason;
  }
  throw new Error('the record was accepted');
}

describe('readRecord', () => {
  const record = encodeRecord({ ...purchaseRequested, causedBy: { eventId: randomUUID(), traceparent: null } }, 'orders');

  it('hands on an event the writer enveloped correctly, with its envelope and position', () => {
    const event = read(asConsumed(record));
    expect(event).toEqual({
      type: 'PurchaseRequested',
      data: purchase,
      eventId: record.eventId,
      correlationId: orderId,
      causationId: record.headers[Header.causationId],
      occurredAt: record.headers[Header.occurredAt],
      producer: 'orders',
      traceparent: record.headers[Header.traceparent],
      schemaVersion: 1,
      topic: 'p.orders',
      partition: 2,
      offset: '7',
      key: orderId,
    });
  });

  it('accepts what the envelope leaves optional absent, and ids, fingerprint and zone in another spelling', () => {
    const event = read(
      asConsumed(record, {
        headers: {
          [Header.correlationId]: undefined,
          [Header.causationId]: undefined,
          [Header.traceparent]: undefined,
          [Header.eventId]: record.eventId.toUpperCase(),
          [Header.schemaFingerprint]: record.headers[Header.schemaFingerprint]!.toUpperCase(),
          [Header.occurredAt]: '2026-11-23T19:00:00.5+01:00',
        },
      }),
    );
    expect(event).toMatchObject({ eventId: record.eventId, correlationId: orderId, causationId: null, traceparent: null });
    expect(event.occurredAt).toBe('2026-11-23T18:00:00.500Z');
    expect(readRecord('orders', 0, asConsumed(record)).topic).toBe('orders'); // no prefix
  });

  it.each([Header.eventType, Header.eventId, Header.producer, Header.occurredAt, Header.schemaFingerprint])(
    'refuses a record without the %s header as invalid_envelope, and one where it is empty',
    (name) => {
      expect(reasonFor(asConsumed(record, { headers: { [name]: undefined } }))).toBe('invalid_envelope');
      expect(reasonFor(asConsumed(record, { headers: { [name]: '' } }))).toBe('invalid_envelope');
    },
  );

  it('refuses a record with no headers at all, and one with a header given twice', () => {
    const { key, value, offset, timestamp, attributes } = asConsumed(record);
    expect(reasonFor({ key, value, offset, timestamp, attributes, size: 0 })).toBe('invalid_envelope'); // a message-set entry: no headers at all
    expect(reasonFor(asConsumed(record, { headers: { [Header.producer]: ['orders', 'stranger'] } }))).toBe('invalid_envelope');
    expect(reasonFor(asConsumed(record, { headers: { [Header.eventId]: [record.eventId, record.eventId] } }))).toBe('invalid_envelope');
  });

  it.each([
    ['event-id', Header.eventId, 'id-1'],
    ['causation-id', Header.causationId, 'because'],
    ['occurred-at', Header.occurredAt, 'yesterday'],
    ['occurred-at', Header.occurredAt, '2026-11-23'],
    ['occurred-at', Header.occurredAt, '2026-11-23T18:00:00'],
    ['occurred-at', Header.occurredAt, '2026-02-30T18:00:00Z'],
    ['occurred-at', Header.occurredAt, '2026-11-23T24:00:00Z'],
    ['occurred-at', Header.occurredAt, '1795000000000'],
    ['schema-fingerprint', Header.schemaFingerprint, 'not-hex'],
  ])('refuses a malformed %s header (%s: %s) as invalid_envelope', (_label, name, value) => {
    expect(reasonFor(asConsumed(record, { headers: { [name]: value } }))).toBe('invalid_envelope');
  });

  it('refuses an event-type header that is not the type of the value as invalid_envelope', () => {
    expect(reasonFor(asConsumed(record, { headers: { [Header.eventType]: 'OrderConfirmed' } }))).toBe('invalid_envelope');
    expect(reasonFor(asConsumed(record, { headers: { [Header.eventType]: 'purchaserequested' } }))).toBe('invalid_envelope');
  });

  it('refuses a schema-fingerprint header that is not the fingerprint inside the value as invalid_envelope', () => {
    expect(reasonFor(asConsumed(record, { headers: { [Header.schemaFingerprint]: fingerprintOf('OrderConfirmed') } }))).toBe('invalid_envelope');
    // Another version of the same type is still another schema.
    const product = encodeRecord({ type: 'ProductUpdated', data: productData }, 'stock');
    expect(fingerprintOf('ProductUpdated', 1)).not.toBe(fingerprintOf('ProductUpdated'));
    expect(reasonFor(asConsumed(product, { headers: { [Header.schemaFingerprint]: fingerprintOf('ProductUpdated', 1) } }), 'p.products')).toBe(
      'invalid_envelope',
    );
  });

  it("refuses a record key that is not the event's key field, or none, as invalid_envelope", () => {
    expect(reasonFor(asConsumed(record, { key: randomUUID() }))).toBe('invalid_envelope');
    expect(reasonFor(asConsumed(record, { key: null }))).toBe('invalid_envelope');
    const product = encodeRecord({ type: 'ProductUpdated', data: productData }, 'stock');
    expect(read(asConsumed(product), 'p.products').key).toBe('TEA-1'); // the sku keys the products topic
    expect(reasonFor(asConsumed(product, { key: 'CUP-2' }), 'p.products')).toBe('invalid_envelope');
  });

  it('refuses a correlation-id header about another order as invalid_envelope', () => {
    expect(reasonFor(asConsumed(record, { headers: { [Header.correlationId]: randomUUID() } }))).toBe('invalid_envelope');
  });

  it('refuses an event type the topic it was read from does not carry as wrong_topic, whoever wrote it', () => {
    const confirmed = encodeRecord(orderConfirmed, 'orders');
    expect(read(asConsumed(confirmed), 'p.orders').type).toBe('OrderConfirmed');
    expect(reasonFor(asConsumed(confirmed), 'p.payments')).toBe('wrong_topic');
    expect(reasonFor(asConsumed(confirmed, { headers: { [Header.producer]: 'payment' } }), 'p.payments')).toBe('wrong_topic');
    // The prefix is the consumer's: an orders topic under another prefix is not its orders topic.
    expect(reasonFor(asConsumed(confirmed), 'q.orders')).toBe('wrong_topic');
    expect(reasonFor(asConsumed(confirmed), 'orders')).toBe('wrong_topic');
  });

  it("refuses a producer that is not the topic's single writer as foreign_writer", () => {
    expect(reasonFor(asConsumed(record, { headers: { [Header.producer]: 'stranger' } }))).toBe('foreign_writer');
    expect(reasonFor(asConsumed(record, { headers: { [Header.producer]: 'payment' } }))).toBe('foreign_writer');
    expect(reasonFor(asConsumed(record, { headers: { [Header.producer]: 'Orders' } }))).toBe('foreign_writer');
  });

  it('says first what is wrong with the value, when it is no event at all', () => {
    expect(reasonFor(asConsumed(record, { value: null, headers: { [Header.eventType]: undefined } }))).toBe('empty_value');
    const bad = Buffer.from(record.value);
    bad[0] = 0xc4;
    expect(() => read(asConsumed(record, { value: bad, headers: { [Header.eventType]: undefined } }))).toThrow(
      expect.objectContaining({ reason: 'bad_magic' }),
    );
    const invalidData = encodeEvent('PurchaseRequested', purchase).subarray(0, 20);
    expect(() => read(asConsumed(record, { value: invalidData }))).toThrow(expect.objectContaining({ retriable: false }));
  });
});

const productData: EventData<'ProductUpdated'> = {
  sku: 'TEA-1',
  name: 'Tea',
  priceCents: 450,
  available: 10,
  reserved: 0,
  updatedAt: '2026-11-23T18:00:00.000Z',
};
