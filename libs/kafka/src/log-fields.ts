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
import { AsyncLocalStorage } from 'node:async_hooks';
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

const eventInHand = new AsyncLocalStorage<Partial<EventLogFields>>();

/**
 * Runs `work` as the handling of the event these fields name: every line logged meanwhile, by the
 * handler or anything it calls, carries them (service-kit's logger reads `currentEventLogFields`).
 * Null fields (a header that is missing) are left out.
 */
export function withEventLogFields<T>(fields: EventLogFields | Partial<EventLogFields>, work: () => T): T {
  const known = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined)) as Partial<EventLogFields>;
  return eventInHand.run(known, work);
}

/** The fields of the event being handled here, if any. */
export function currentEventLogFields(): Partial<EventLogFields> {
  return eventInHand.getStore() ?? {};
}
