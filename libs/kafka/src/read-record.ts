/**
 * A consumed record → the event a handler receives, or a non-retriable error that sends the record
 * to the dead-letter topic before anything is changed. The rules are the envelope's (envelope.ts):
 *
 *   empty_value        the record has no value
 *   bad_magic, too_short, unknown_schema, corrupt_body, invalid_data   the value is no event (codec)
 *   invalid_envelope   a required header is missing, empty, given twice or malformed, or a header
 *                      disagrees with the value (event-type, schema-fingerprint, key, correlation-id)
 *   wrong_topic        the event's type is not one the topic it was read from carries
 *   foreign_writer     the producer header names someone other than the topic's single writer
 *
 * Checked in that order: the value first (a record that is no event says so), then the envelope on
 * its own, then where the record was found and who wrote it.
 */
import { decodeEvent, keyOf, topicOf, type DecodedEvent, type EventType } from '@webshop/events';
import type { ConsumedRecord, RecordHeaders } from './client';
import { Header, type AnyIncomingEvent } from './envelope';
import { NonRetriableError } from './errors';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 3339 (the ISO-8601 profile with a mandatory zone): date, time to the second, optional fraction, Z or ±hh:mm. */
const dateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;
const fingerprintPattern = /^[0-9a-f]{16}$/i;

const invalid = (message: string) => new NonRetriableError('invalid_envelope', message);

/**
 * Decodes `message`, read from partition `partition` of `topic` (the topic's name with the
 * consumer's `topicPrefix` in front), and checks its envelope; throws `NonRetriableError` with one
 * of the reasons above when the record must not be applied.
 */
export function readRecord(topic: string, partition: number, message: ConsumedRecord, topicPrefix = ''): AnyIncomingEvent {
  if (!message.value) throw new NonRetriableError('empty_value', 'the record has no value');
  const decoded = decodeEvent(message.value);
  const headers = message.headers ?? {};

  const eventType = required(headers, Header.eventType);
  const eventId = required(headers, Header.eventId);
  const producer = required(headers, Header.producer);
  const occurredAt = required(headers, Header.occurredAt);
  const fingerprint = required(headers, Header.schemaFingerprint);
  const correlationId = optional(headers, Header.correlationId);
  const causationId = optional(headers, Header.causationId);
  const traceparent = optional(headers, Header.traceparent);

  if (!uuidPattern.test(eventId)) throw invalid(`the ${Header.eventId} header is not a UUID: ${eventId}`);
  if (causationId !== null && !uuidPattern.test(causationId)) throw invalid(`the ${Header.causationId} header is not a UUID: ${causationId}`);
  const occurredMs = instantOf(occurredAt);
  if (occurredMs === null) throw invalid(`the ${Header.occurredAt} header is not an ISO-8601 date-time with a zone: ${occurredAt}`);
  if (!fingerprintPattern.test(fingerprint)) throw invalid(`the ${Header.schemaFingerprint} header is not 16 hex digits: ${fingerprint}`);

  if (eventType !== decoded.type) {
    throw invalid(`the ${Header.eventType} header says ${eventType} but the value is a ${decoded.type}`);
  }
  if (fingerprint.toLowerCase() !== decoded.fingerprint) {
    throw invalid(`the ${Header.schemaFingerprint} header says ${fingerprint} but the value was written with ${decoded.fingerprint}`);
  }
  const eventKey = keyOfDecoded(decoded);
  const key = message.key === null || message.key === undefined ? null : message.key.toString('utf8');
  if (key !== eventKey) {
    throw invalid(`the record key is ${key === null ? 'missing' : `"${key}"`} but the ${decoded.type}'s ${topicOf(decoded.type).key} is "${eventKey}"`);
  }
  if (correlationId !== null && correlationId !== eventKey) {
    throw invalid(`the ${Header.correlationId} header says "${correlationId}" but the ${decoded.type} is about "${eventKey}"`);
  }

  const home = topicOf(decoded.type);
  if (topic !== topicPrefix + home.name) {
    throw new NonRetriableError('wrong_topic', `${decoded.type} belongs on the ${home.name} topic, not on ${topic}`);
  }
  if (producer !== home.writer) {
    throw new NonRetriableError('foreign_writer', `the ${home.name} topic is written only by ${home.writer}, but the ${Header.producer} header says ${producer}`);
  }

  return {
    type: decoded.type,
    data: decoded.data,
    // The canonical (lower-case) form, as Postgres gives uuids back: the inbox compares ids it wrote
    // with ids it was handed, and an upper-case id from another producer must not look new (or old).
    eventId: eventId.toLowerCase(),
    correlationId: eventKey,
    causationId: causationId?.toLowerCase() ?? null,
    occurredAt: new Date(occurredMs).toISOString(),
    producer,
    traceparent,
    schemaVersion: decoded.version,
    topic,
    partition,
    offset: message.offset,
    key,
  } as AnyIncomingEvent;
}

type Headers = RecordHeaders;

/** The header's one value; null when absent. Given more than once, it says two things: refused. */
function optional(headers: Headers, name: string): string | null {
  const value = headers[name];
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    if (value.length > 1) throw invalid(`the ${name} header is given ${value.length} times`);
  }
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

function required(headers: Headers, name: string): string {
  const value = optional(headers, name);
  if (value === null || value === '') throw invalid(`the ${name} header is missing`);
  return value;
}

/** Milliseconds since the epoch of an RFC 3339 date-time, or null when it is not one (or names no real day). */
function instantOf(value: string): number | null {
  const m = dateTimePattern.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function keyOfDecoded(decoded: DecodedEvent): string {
  try {
    return keyOf(decoded.type as EventType, decoded.data as never);
  } catch (error) {
    throw invalid(error instanceof Error ? error.message : String(error)); // unreachable: validation requires the key field
  }
}
