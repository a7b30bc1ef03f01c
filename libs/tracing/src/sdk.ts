/**
 * A service process's OpenTelemetry SDK, started once by its main (service-kit's runService):
 *
 *  - always: the AsyncLocalStorage context manager and the W3C trace-context propagator, so the
 *    trace in hand follows the work across awaits and into the events it writes, whether spans are
 *    recorded or not;
 *  - with an exporter (OTLP over HTTP when OTEL_EXPORTER_OTLP_ENDPOINT or
 *    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, the exporter's own variables configuring it; or the
 *    one given, as tests give an in-memory one): a tracer provider that records every span and
 *    exports them in batches, its resource naming the service (`service.name`, and
 *    `service.namespace` webshop).
 *
 * Without an exporter no span is recorded and none costs anything; the events still carry their
 * trace (spans.ts, currentTraceparent). The SDK and the exporter are loaded only then (about 150 ms
 * of a process's start that a service without tracing does not spend).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { hostname } from 'node:os';
import { setRecording } from './spans';

export interface TracingOptions {
  /** The service's name (`service.name` on every span). */
  service: string;
  /** Where the spans go; by default OTLP when the environment names an endpoint, else nowhere. */
  exporter?: SpanExporter;
  /** Export each span as it ends instead of in batches (tests that read the exporter at once). */
  immediate?: boolean;
  env?: NodeJS.ProcessEnv;
}

export interface Tracing {
  /** Whether spans are recorded and exported. */
  readonly recording: boolean;
  /** Exports what is left and stops; the context manager stays, for whatever still runs. */
  shutdown(): Promise<void>;
}

/** Whether the environment asks for OTLP export (the exporter reads these variables itself). */
export const otlpEndpointOf = (env: NodeJS.ProcessEnv): string | undefined =>
  env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'] || undefined;

export async function startTracing({ service, exporter, immediate = false, env = process.env }: TracingOptions): Promise<Tracing> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (!exporter && !otlpEndpointOf(env)) return { recording: false, shutdown: async () => undefined };
  const [{ BatchSpanProcessor, SimpleSpanProcessor, TracerProvider }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const spanExporter = exporter ?? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'service.namespace': 'webshop', 'service.instance.id': `${hostname()}:${process.pid}` }),
    spanProcessors: [immediate ? new SimpleSpanProcessor({ exporter: spanExporter }) : new BatchSpanProcessor({ exporter: spanExporter })],
  });
  trace.setGlobalTracerProvider(provider);
  setRecording(true);
  return {
    recording: true,
    async shutdown() {
      setRecording(false);
      await provider.shutdown();
      trace.disable();
    },
  };
}
