/**
 * The event codec: the bytes of every Kafka record value.
 *
 * Wire format — Avro single-object encoding (Avro specification, "Single-object encoding"):
 *
 *   offset  size  content
 *   0       2     C3 01                 marker: format version 1 of single-object encoding
 *   2       8     writer fingerprint    CRC-64-AVRO of the writer schema's Parsing Canonical Form,
 *                                       little-endian (see crc64-avro.ts)
 *   10      n     body                  the event data in Avro binary encoding, by that schema
 *
 * The event type is not on the wire: the fingerprint names exactly one version of one event's
 * schema (libs/events/schemas/<Event>.v<N>.avsc). Writers always write the latest version of a type;
 * readers look the writer schema up by fingerprint among every kept version and resolve it to the
 * latest version of the same type (Avro schema resolution), so consumers see one shape per type.
 * The `schema-fingerprint` Kafka header carries the same 8 bytes as hex (`fingerprintOf`).
 *
 * Both directions validate with zod (validation.ts): invalid data is never written, and a record
 * that decodes but breaks the rules is refused like a corrupt one.
 */
import type { EventData, EventType } from './types';
import {
  HEADER_LENGTH,
  latestVersionOf,
  resolverToLatest,
  schemaByFingerprint,
  schemaVersionOf,
  SINGLE_OBJECT_MAGIC,
  type SchemaVersion,
} from './schemas';
import { checkEvent, EventValidationError, type ValidationIssue } from './validation';

export type DecodeFailure = 'bad_magic' | 'too_short' | 'unknown_schema' | 'corrupt_body' | 'invalid_data';

/**
 * A record value that cannot become an event. Never retriable: the same bytes fail the same way,
 * so the consumer dead-letters the record (with `reason`) and moves on.
 */
export class EventDecodeError extends Error {
  override readonly name = 'EventDecodeError';
  readonly retriable = false;

  constructor(
    readonly reason: DecodeFailure,
    message: string,
    readonly details: { eventType?: EventType; version?: number; fingerprint?: string; issues?: readonly ValidationIssue[] } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A decoded event: narrow on `type` and `data` follows. */
export type DecodedEvent = {
  [T in EventType]: { type: T; data: EventData<T>; version: number; fingerprint: string };
}[EventType];

/** Hex of the writer fingerprint as on the wire; the latest version's unless `version` is given. */
export function fingerprintOf(eventType: EventType, version?: number): string {
  return (version === undefined ? latestVersionOf(eventType) : schemaVersionOf(eventType, version)).fingerprint;
}

/** Validates `data` (throws `EventValidationError`), then encodes it with the latest schema of `type`. */
export function encodeEvent<T extends EventType>(type: T, data: EventData<T>): Buffer {
  const checked = checkEvent(type, data);
  if (!checked.ok) throw new EventValidationError(type, checked.issues);
  return encodeWith(latestVersionOf(type), checked.data);
}

/** Encodes with one given schema version, unvalidated: for tests and golden samples, not producers. */
export function encodeWith(schema: SchemaVersion, data: unknown): Buffer {
  let body: Buffer;
  try {
    body = schema.type.toBuffer(data);
  } catch (cause) {
    // zod passed it, so the zod rules and the Avro schema disagree: a bug in this lib.
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new EventValidationError(schema.eventType, [{ path: '', message: `not encodable: ${message}` }], { cause });
  }
  return Buffer.concat([schema.header, body], HEADER_LENGTH + body.length);
}

/** Decodes and validates a record value; throws `EventDecodeError` (never retriable) when it cannot. */
export function decodeEvent(bytes: Buffer): DecodedEvent {
  if (bytes.length < SINGLE_OBJECT_MAGIC.length) {
    throw new EventDecodeError('too_short', `${bytes.length} bytes cannot hold the single-object marker`);
  }
  if (bytes[0] !== SINGLE_OBJECT_MAGIC[0] || bytes[1] !== SINGLE_OBJECT_MAGIC[1]) {
    throw new EventDecodeError('bad_magic', `not Avro single-object encoding: starts ${bytes.toString('hex', 0, 2)}, not c301`);
  }
  if (bytes.length < HEADER_LENGTH) {
    throw new EventDecodeError('too_short', `${bytes.length} bytes cannot hold the 10-byte header`);
  }
  const fingerprint = bytes.toString('hex', SINGLE_OBJECT_MAGIC.length, HEADER_LENGTH);
  const writer = schemaByFingerprint(fingerprint);
  if (!writer) {
    throw new EventDecodeError('unknown_schema', `no known schema has fingerprint ${fingerprint}`, { fingerprint });
  }
  const { eventType, version } = writer;
  const where = { eventType, version, fingerprint };

  let value: unknown;
  try {
    writer.checkBounds(bytes, HEADER_LENGTH);
    const decoded = latestVersionOf(eventType).type.decode(bytes, HEADER_LENGTH, resolverToLatest(writer));
    if (decoded.offset !== bytes.length) throw new Error(decoded.offset < 0 ? 'truncated' : 'trailing bytes');
    value = decoded.value;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new EventDecodeError('corrupt_body', `${eventType} v${version} body does not decode: ${message}`, where, { cause });
  }

  const checked = checkEvent(eventType, value);
  if (!checked.ok) {
    const summary = checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new EventDecodeError('invalid_data', `${eventType} v${version} breaks its rules: ${summary}`, { ...where, issues: checked.issues });
  }
  return { type: eventType, data: checked.data, version, fingerprint } as DecodedEvent;
}
