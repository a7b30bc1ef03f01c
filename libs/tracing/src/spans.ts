/**
 * Spans and trace context for the project's own code, on the OpenTelemetry API only: the libs and
 * the services record spans through this, and a process that started no SDK (sdk.ts) pays for
 * none. The context of a span travels three ways:
 *
 *   in a process      the active context (an AsyncLocalStorage once `startTracing` ran, sdk.ts):
 *                     a span started inside another's work is its child;
 *   through Kafka     the W3C `traceparent` header of each event (libs/kafka envelope), written
 *                     when the event is appended to the outbox: the span in hand then is the
 *                     parent of the relay's publish and of every consumer's processing of it;
 *   through a table   a `traceparent` column where work resumes later from a row (a shipment
 *                     dispatched on its own, an email sent after a retry): `contextOf` it.
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { randomBytes } from 'node:crypto';

export { SpanKind, type Attributes, type Context, type Span };

/** The project's spans are all this one instrumentation's: `@webshop`. */
const tracer = () => trace.getTracer('@webshop');

const w3c = new W3CTraceContextPropagator();
const getter = { get: (carrier: Record<string, string>, key: string) => carrier[key], keys: (carrier: Record<string, string>) => Object.keys(carrier) };
const setter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value) };

/**
 * The context whose parent is the span a W3C `traceparent` names (a remote parent), on top of
 * `base`; `base` itself for none or a malformed one (its work then starts a trace of its own).
 */
export function contextOf(traceparent: string | null | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!traceparent) return base;
  return w3c.extract(base, { traceparent }, getter);
}

/** The W3C `traceparent` of the span in `ctx` (the active one by default); null when there is none. */
export function traceparentOf(ctx: Context = context.active()): string | null {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, setter);
  return carrier['traceparent'] ?? null;
}

/**
 * The traceparent for something written now that later work continues from (an event, a row): the
 * span in hand when it records; when it does not (no SDK started), a new span id in the trace in
 * hand, so that trace still continues; null outside any trace.
 */
export function currentTraceparent(): string | null {
  const span = trace.getSpan(context.active());
  if (!span || !isSpanContextValid(span.spanContext())) return null;
  if (span.isRecording()) return traceparentOf();
  const { traceId, traceFlags } = span.spanContext();
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${traceFlags.toString(16).padStart(2, '0')}`;
}

/** The trace id of a span (32 hex digits); null for none or one outside any trace. */
export function traceIdOfSpan(span: Span | undefined): string | null {
  const spanContext = span?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : null;
}

/** The trace id in hand, for a log line; null outside any trace. */
export const currentTraceId = (): string | null => traceIdOfSpan(trace.getSpan(context.active()));

/**
 * Whether a recording SDK is started (sdk.ts says so). When none is, a span is only its parent's
 * context handed on: no span object, no attributes built, for each of the thousands of events a
 * second a consumer may process.
 */
let recording = false;
export const setRecording = (on: boolean): void => void (recording = on);

export interface SpanOptions {
  kind?: SpanKind;
  /** A function for attributes that cost something to build: called only when spans are recorded. */
  attributes?: Attributes | (() => Attributes);
  links?: Link[];
  /** The parent's context: the active one by default; `contextOf(row.traceparent)` to continue a stored trace. */
  parent?: Context;
  /** Only inside a span already (a transaction's span, say): outside one, the work runs without a span of its own. */
  onlyInTrace?: boolean;
}

/**
 * Runs `work` in a new span, the child of `parent`: everything it starts meanwhile is the span's
 * child. The span ends when the work settles; a failure is recorded on it (status ERROR, the
 * exception) and thrown on.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T> | T): Promise<T> {
  if (options.onlyInTrace && !trace.getSpan(options.parent ?? context.active())) return work(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const { span, context: inside } = startSpan(name, options);
  try {
    return await context.with(inside, () => work(span));
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Starts a span the caller ends (for work that is not one call: a request until its answer is sent). */
export function startSpan(name: string, options: Omit<SpanOptions, 'onlyInTrace'> = {}): { span: Span; context: Context } {
  const parent = options.parent ?? context.active();
  // Not the parent's own span object: ending or renaming this one must never touch the parent.
  if (!recording) return { span: trace.wrapSpanContext(trace.getSpan(parent)?.spanContext() ?? INVALID_SPAN_CONTEXT), context: parent };
  const attributes = typeof options.attributes === 'function' ? options.attributes() : options.attributes;
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes, links: options.links }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Records a failure on a span: status ERROR with the error's message, and the exception. */
export function failed(span: Span, error: unknown, message = error instanceof Error ? error.message : String(error)): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Runs `work` with `ctx` as the active context. */
export const withContext = <T>(ctx: Context, work: () => T): T => context.with(ctx, work);
/** Binds a function or an EventEmitter (a request, a response) to `ctx`: its listeners run in it. */
export const bindContext = <T>(ctx: Context, target: T): T => context.bind(ctx, target);
