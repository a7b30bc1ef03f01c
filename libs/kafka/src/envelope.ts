/**
 * The envelope of every event on Kafka. The value is the Avro single-object encoding of the event
 * data (see libs/events codec); the record key is the event's key field (orderId or sku); these
 * headers say what it is and where it came from:
 *
 *   event-type          required  PurchaseRequested, ...
 *   event-id            required  UUID, unique per event; consumers' inbox key
 *   correlation-id      optional  the orderId (or sku) the event is about: the record key
 *   causation-id        optional  UUID, the event-id of the event that caused this one (absent for a user's request)
 *   occurred-at         required  ISO-8601 UTC as written (Date#toISOString)
 *   producer            required  the service that wrote it (the topic's single writer)
 *   schema-fingerprint  required  hex CRC-64-AVRO of the writer schema (also inside the value)
 *   traceparent         optional  W3C trace context: 00-<trace-id>-<span-id>-01
 *
 * What a consumer accepts (read-record.ts); anything else goes to the dead-letter topic unapplied:
 *  - each header at most once; the required ones present and not empty;
 *  - event-id and causation-id UUIDs in any case (handed on in lower case); occurred-at an RFC 3339
 *    date-time (ISO-8601 with seconds and a zone, Z or ±hh:mm, a real day; handed on as UTC ISO);
 *  - the headers agree with the value: event-type is the decoded schema's type, schema-fingerprint
 *    (hex, any case) the fingerprint inside the value, the record key the event's key field
 *    (`keyOf`), and correlation-id, when present, that same key (absent, it defaults to the key);
 *    any of these broken is `invalid_envelope`;
 *  - the event's type is one the topic it was read from carries (prefix aside): `wrong_topic`,
 *    e.g. an OrderConfirmed on payments;
 *  - producer is that topic's single writer (`topics[..].writer`): `foreign_writer`.
 * traceparent is not checked: a malformed one only means the consumer's events start a new trace.
 *
 * An event's traceparent is the span in hand when it is written (libs/tracing, currentTraceparent:
 * the outbox append's span, inside a request's or a consumed event's), so its publish and every
 * consumer's processing of it are that span's children: one order is one trace. With no trace in
 * hand it continues the trace of the event it answers (`causedBy`), or starts one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EventData, EventType, ServiceName } from '@webshop/events';
import { currentTraceparent } from '@webshop/tracing';

export const Header = {
  eventType: 'event-type',
  eventId: 'event-id',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  occurredAt: 'occurred-at',
  producer: 'producer',
  schemaFingerprint: 'schema-fingerprint',
  traceparent: 'traceparent',
} as const;

/** An event a service wants published. Ids and times default at the edge, never in domain code. */
export interface OutgoingEvent<T extends EventType = EventType> {
  type: T;
  data: EventData<T>;
  eventId?: string;
  occurredAt?: string;
  /** The event this one answers; its event-id becomes causation-id and its trace continues. */
  causedBy?: Pick<IncomingEvent, 'eventId' | 'traceparent'>;
  traceparent?: string;
}

export type AnyOutgoingEvent = { [T in EventType]: OutgoingEvent<T> }[EventType];

/** An event as a consumer's handler receives it: decoded, validated, with its envelope and position. */
export interface IncomingEvent<T extends EventType = EventType> {
  type: T;
  data: EventData<T>;
  eventId: string;
  correlationId: string;
  causationId: string | null;
  occurredAt: string;
  producer: string;
  traceparent: string | null;
  schemaVersion: number;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
}

export type AnyIncomingEvent = { [T in EventType]: IncomingEvent<T> }[EventType];

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The 32 hex digits of a W3C traceparent's trace id; null for none or a malformed one. */
export function traceIdOf(traceparent: string | null | undefined): string | null {
  return (traceparent ? traceparentPattern.exec(traceparent)?.[1] : undefined) ?? null;
}

/** A new span in the trace of `parent`, or a new trace when there is none. */
export function childTraceparent(parent?: string | null): string {
  const traceId = traceIdOf(parent) ?? randomBytes(16).toString('hex');
  return `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
}

export function envelopeHeaders(
  event: AnyOutgoingEvent,
  producer: ServiceName,
  correlationId: string,
  fingerprint: string,
): { eventId: string; headers: Record<string, string> } {
  const eventId = event.eventId ?? randomUUID();
  const headers: Record<string, string> = {
    [Header.eventType]: event.type,
    [Header.eventId]: eventId,
    [Header.correlationId]: correlationId,
    [Header.occurredAt]: event.occurredAt ?? new Date().toISOString(),
    [Header.producer]: producer,
    [Header.schemaFingerprint]: fingerprint,
    [Header.traceparent]: event.traceparent ?? currentTraceparent() ?? childTraceparent(event.causedBy?.traceparent),
  };
  if (event.causedBy) headers[Header.causationId] = event.causedBy.eventId;
  return { eventId, headers };
}

/** Kafka header values arrive as Buffers (or arrays of them); the envelope is single strings. */
export function headerString(headers: Record<string, unknown> | undefined, name: string): string | null {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return null;
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}
