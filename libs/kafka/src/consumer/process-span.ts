/**
 * The span of one event's processing by a consumer (OpenTelemetry messaging `process`): the child
 * of the span that appended the event (its traceparent), so each consumer's work hangs under the
 * producer's in one trace. Whatever the handler writes meanwhile (outbox appends, log lines) is in
 * this span. It ends when the transaction that applied the event has ended, and says how:
 * `webshop.outcome` applied or duplicate (the inbox had it), and `webshop.rolled_back` when a run
 * failed and its records were applied one by one after (each then gets a span of its own again).
 */
import { contextOf, failed, SpanKind, startSpan, type Context, type Span } from '@webshop/tracing';
import type { IncomingEvent } from '../envelope';
import type { Outcome } from './types';

export interface Processing {
  span: Span;
  /** The context to run the handler in. */
  context: Context;
}

export function startProcessing(groupId: string, event: IncomingEvent): Processing {
  return startSpan(`process ${event.type}`, {
    kind: SpanKind.CONSUMER,
    parent: contextOf(event.traceparent),
    attributes: () => ({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': event.topic,
      'messaging.destination.partition.id': String(event.partition),
      'messaging.kafka.offset': Number(event.offset),
      'messaging.kafka.message.key': event.key ?? '',
      'messaging.message.id': event.eventId,
      'messaging.consumer.group.name': groupId,
      'webshop.event_type': event.type,
    }),
  });
}

/** Ends the spans of a transaction that committed, each with its record's outcome. */
export function endProcessing(spans: ReadonlyArray<{ span: Span; outcome: Outcome }>): void {
  for (const { span, outcome } of spans) {
    span.setAttribute('webshop.outcome', outcome);
    span.end();
  }
}

/** Ends the spans of a transaction that failed: nothing of it was kept. */
export function endProcessingFailed(spans: ReadonlyArray<{ span: Span }>, error: unknown, rolledBackRun: boolean): void {
  for (const { span } of spans) {
    if (rolledBackRun) span.setAttribute('webshop.rolled_back', true);
    failed(span, error);
    span.end();
  }
}
