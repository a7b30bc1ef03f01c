/**
 * Tracing (OpenTelemetry): the spans the project records and the trace context its events and rows
 * carry (spans.ts), and the SDK a service process starts (sdk.ts).
 */
export {
  bindContext,
  contextOf,
  currentTraceId,
  currentTraceparent,
  failed,
  inSpan,
  SpanKind,
  startSpan,
  traceIdOfSpan,
  traceparentOf,
  withContext,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
} from './spans';
export { otlpEndpointOf, startTracing, type Tracing, type TracingOptions } from './sdk';
