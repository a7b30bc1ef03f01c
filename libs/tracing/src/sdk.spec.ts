/**
 * The SDK with an exporter (an in-memory one): spans are recorded with the service's resource, a
 * failure marks its span an error and is thrown on, and a span that asks to be only inside a trace
 * is none outside one.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { contextOf, currentTraceparent, inSpan } from './spans';
import { startTracing, type Tracing } from './sdk';

describe('the SDK with an exporter', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(async () => void (tracing = await startTracing({ service: 'payment', exporter, immediate: true })));
  afterAll(() => tracing.shutdown());
  beforeEach(() => exporter.reset());

  it("records spans as the service's, the span in hand being what is written", async () => {
    expect(tracing.recording).toBe(true);
    const written = await inSpan('outer', {}, () => inSpan('inner', {}, async () => currentTraceparent()));
    const [inner, outer] = exporter.getFinishedSpans();
    expect([inner!.name, outer!.name]).toEqual(['inner', 'outer']);
    expect(inner!.parentSpanContext?.spanId).toBe(outer!.spanContext().spanId);
    expect(written).toBe(`00-${inner!.spanContext().traceId}-${inner!.spanContext().spanId}-01`);
    expect(inner!.resource.attributes).toMatchObject({ 'service.name': 'payment', 'service.namespace': 'webshop' });
  });

  it('marks a failed span an error with the exception, and throws the failure on', async () => {
    await expect(inSpan('failing', { parent: contextOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') }, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: 2, message: 'boom' });
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
    expect(span!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('records a span that is only for inside a trace there, and none outside one', async () => {
    await inSpan('alone', { onlyInTrace: true }, async () => undefined);
    expect(exporter.getFinishedSpans()).toEqual([]);
    await inSpan('outer', {}, () => inSpan('inside', { onlyInTrace: true }, async () => undefined));
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['inside', 'outer']);
  });
});
