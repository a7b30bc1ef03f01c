import { decodeEvent, encodeEvent, encodeWith, EventDecodeError, fingerprintOf, type DecodeFailure } from './codec';
import { latestVersionOf } from './schemas';
import { samples } from './testing/samples';
import { emailTemplates, eventTypes, orderRejectionReasons, paymentDeclineReasons, type EventType } from './types';
import { EventValidationError } from './validation';

/** Runs `decode` and returns the EventDecodeError it throws. */
function decodeFailure(bytes: Buffer): EventDecodeError {
  try {
    decodeEvent(bytes);
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('expected decodeEvent to throw');
}

function expectDecodeFailure(bytes: Buffer, reason: DecodeFailure): EventDecodeError {
  const error = decodeFailure(bytes);
  expect(error.reason).toBe(reason);
  expect(error.retriable).toBe(false);
  return error;
}

/** Deterministic pseudo-random bytes (xorshift32), so a failure reproduces. */
function pseudoRandomBytes(seed: number, length: number): Buffer {
  let x = seed || 1;
  return Buffer.from(Array.from({ length }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  }));
}

const header = (type: EventType) => latestVersionOf(type).header;
const purchase = samples.PurchaseRequested;

describe('encodeEvent / decodeEvent', () => {
  it.each(eventTypes)('round-trips a %s with the latest schema version', (type) => {
    const bytes = encodeEvent(type, samples[type]);

    const decoded = decodeEvent(bytes);

    expect(decoded).toEqual({ type, data: samples[type], version: latestVersionOf(type).version, fingerprint: fingerprintOf(type) });
  });

  it('writes C3 01, then the writer fingerprint that fingerprintOf gives, then the Avro body', () => {
    const bytes = encodeEvent('OrderConfirmed', samples.OrderConfirmed);

    expect(bytes.subarray(0, 2).toString('hex')).toBe('c301');
    expect(bytes.toString('hex', 2, 10)).toBe(fingerprintOf('OrderConfirmed'));
    expect(bytes.subarray(10)).toEqual(latestVersionOf('OrderConfirmed').type.toBuffer(samples.OrderConfirmed));
  });

  it('gives every event type its own fingerprint', () => {
    expect(new Set(eventTypes.map((type) => fingerprintOf(type))).size).toBe(eventTypes.length);
  });

  it.each([
    ...orderRejectionReasons.map((reason) => ['OrderRejected', { ...samples.OrderRejected, reason }] as const),
    ...paymentDeclineReasons.map((reason) => ['PaymentDeclined', { ...samples.PaymentDeclined, reason }] as const),
    ...emailTemplates.map((template) => ['EmailSent', { ...samples.EmailSent, template }] as const),
  ])('round-trips every enum symbol: %s %j', (type, data) => {
    expect(decodeEvent(encodeEvent(type, data)).data).toEqual(data);
  });

  it('returns plain data objects, not avsc records', () => {
    const { data } = decodeEvent(encodeEvent('PurchaseRequested', purchase));

    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(data))).toEqual(purchase);
  });
});

describe('decodeEvent refuses what it cannot read, never retriable', () => {
  const valid = () => encodeEvent('PurchaseRequested', purchase);

  it.each([
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from([0xc3])],
    ['the marker and half a fingerprint', valid().subarray(0, 6)],
  ])('too_short: %s', (_, bytes) => {
    expectDecodeFailure(bytes, 'too_short');
  });

  it('bad_magic: a value that does not start with C3 01 (e.g. JSON)', () => {
    expectDecodeFailure(Buffer.from(JSON.stringify(purchase)), 'bad_magic');
    expectDecodeFailure(Buffer.from([0xc3, 0x02, ...valid().subarray(2)]), 'bad_magic');
  });

  it('unknown_schema: a valid header whose fingerprint no kept schema has', () => {
    const bytes = Buffer.concat([Buffer.from('c3010000000000000000', 'hex'), valid().subarray(10)]);

    const error = expectDecodeFailure(bytes, 'unknown_schema');

    expect(error.details.fingerprint).toBe('0000000000000000');
  });

  it('corrupt_body: a truncated body', () => {
    const bytes = valid();

    expectDecodeFailure(bytes.subarray(0, bytes.length - 1), 'corrupt_body');
    expectDecodeFailure(bytes.subarray(0, 10), 'corrupt_body');
  });

  it('corrupt_body: trailing bytes after the value', () => {
    expectDecodeFailure(Buffer.concat([valid(), Buffer.from([0])]), 'corrupt_body');
  });

  it('corrupt_body: an enum index out of range', () => {
    const bytes = encodeEvent('OrderRejected', samples.OrderRejected);
    // Body: orderId (1 length byte + 36 chars), then the reason's enum index.
    const reasonAt = 10 + 1 + 36;
    expect(bytes[reasonAt]).toBe(0); // OUT_OF_STOCK, zig-zag 0

    bytes[reasonAt] = 0x08; // index 4

    expect(expectDecodeFailure(bytes, 'corrupt_body').details.eventType).toBe('OrderRejected');
  });

  it('corrupt_body: an array count far beyond the bytes, without allocating it', () => {
    // StockReserved body: orderId (1 + 36 bytes), then the items' block count.
    const bytes = encodeEvent('StockReserved', samples.StockReserved);
    const countAt = 10 + 1 + 36;
    expect(bytes[countAt]).toBe(4); // 2 items, zig-zag
    // 2^31 items as a zig-zag varint: 2^32 → 80 80 80 80 10
    const corrupt = Buffer.concat([bytes.subarray(0, countAt), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10]), bytes.subarray(countAt + 1)]);

    expectDecodeFailure(corrupt, 'corrupt_body');
  });

  it('bad_magic or corrupt: random bytes, with or without a valid header, only ever give EventDecodeError', () => {
    for (let seed = 1; seed <= 2_000; seed++) {
      const noise = pseudoRandomBytes(seed, 1 + (seed % 120));
      const withHeader = Buffer.concat([header('PurchaseRequested'), noise]);

      expect(decodeFailure(noise).reason).not.toBe('invalid_data'); // no header: never gets that far
      expect(['corrupt_body', 'invalid_data']).toContain(decodeFailure(withHeader).reason);
    }
  });
});

describe('validation before encoding and after decoding', () => {
  const badPurchase = {
    ...purchase,
    items: [{ sku: 'MUG-001', quantity: 0, unitPriceCents: -5 }],
    totalCents: 0,
  };

  it('refuses to encode a quantity of 0 and negative cents, saying where', () => {
    const attempt = () => encodeEvent('PurchaseRequested', badPurchase);

    expect(attempt).toThrow(EventValidationError);
    try {
      attempt();
    } catch (error) {
      const { issues, retriable, eventType } = error as EventValidationError;
      expect(retriable).toBe(false);
      expect(eventType).toBe('PurchaseRequested');
      expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(['items.0.quantity', 'items.0.unitPriceCents']));
    }
  });

  it.each([
    ['an orderId that is not a UUID', { ...purchase, orderId: 'order-1' }],
    ['an empty customerId', { ...purchase, customerId: '' }],
    ['an email that is not one', { ...purchase, email: 'ada-at-example' }],
    ['a time with an offset', { ...purchase, requestedAt: '2026-11-23T19:00:00.000+01:00' }],
    ['a time without milliseconds', { ...purchase, requestedAt: '2026-11-23T18:00:00Z' }],
    ['a date that does not exist', { ...purchase, requestedAt: '2026-02-30T18:00:00.000Z' }],
    ['a total that does not add up', { ...purchase, totalCents: 4500 }],
    ['no items', { ...purchase, items: [], totalCents: 0 }],
    ['a fractional quantity', { ...purchase, items: [{ sku: 'MUG-001', quantity: 1.5, unitPriceCents: 2 }], totalCents: 3 }],
    ['an unknown field', { ...purchase, coupon: 'FREE' }],
  ])('refuses to encode a PurchaseRequested with %s', (_, data) => {
    expect(() => encodeEvent('PurchaseRequested', data as typeof purchase)).toThrow(EventValidationError);
  });

  it('refuses an enum value the schema does not know', () => {
    const data = { ...samples.EmailSent, template: 'ORDER_LOST' } as unknown as typeof samples.EmailSent;

    expect(() => encodeEvent('EmailSent', data)).toThrow(EventValidationError);
  });

  it('invalid_data: decodes Avro-valid bytes that break the rules (written past zod) and refuses them', () => {
    const bytes = encodeWith(latestVersionOf('PurchaseRequested'), badPurchase);

    const error = expectDecodeFailure(bytes, 'invalid_data');

    expect(error.details.eventType).toBe('PurchaseRequested');
    expect(error.details.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['items.0.quantity', 'items.0.unitPriceCents']));
  });

  it('invalid_data: negative cents in a payment', () => {
    const bytes = encodeWith(latestVersionOf('PaymentProcessed'), { ...samples.PaymentProcessed, amountCents: -1 });

    expect(expectDecodeFailure(bytes, 'invalid_data').details.issues).toEqual([
      expect.objectContaining({ path: 'amountCents' }),
    ]);
  });
});
