/**
 * The fields every log line about an event carries, under the same names everywhere, so that one
 * search finds a whole order's story across the services' logs:
 *
 *   correlationId  the envelope's correlation-id: the order id (the sku on products)
 *   traceId        the trace id of its W3C traceparent (32 hex digits), shared by the events it caused
 *   eventId        the event's own id
 *   eventType      PurchaseRequested, ...
 *
 * Read from the record's headers, so a record that never decodes is still named by them; a header
 * that is missing is null.
 */
import { Header, headerString, traceIdOf } from './envelope';

export interface EventLogFields {
  correlationId: string | null;
  traceId: string | null;
  eventId: string | null;
  eventType: string | null;
}

/** From a Kafka record's headers (Buffers) or an outbox row's (strings). */
export function eventLogFields(headers: Record<string, unknown> | undefined): EventLogFields {
  return {
    correlationId: headerString(headers, Header.correlationId),
    traceId: traceIdOf(headerString(headers, Header.traceparent)),
    eventId: headerString(headers, Header.eventId),
    eventType: headerString(headers, Header.eventType),
  };
}
