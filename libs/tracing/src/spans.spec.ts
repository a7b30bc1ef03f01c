/**
 * Trace context without a recording SDK, as a service runs when no OTLP endpoint is set: the trace
 * in hand still continues into what is written (a new span id in the same trace), and a traceparent
 * goes in and out of a context unchanged.
 */
import { contextOf, currentTraceId, currentTraceparent, inSpan, traceparentOf } from './spans';
import { startTracing, type Tracing } from './sdk';

const given = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context with no span recorded', () => {
  let tracing: Tracing;
  beforeAll(async () => void (tracing = await startTracing({ service: 'orders', env: {} })));
  afterAll(() => tracing.shutdown());

  it('records nothing without an endpoint', () => {
    expect(tracing.recording).toBe(false);
  });

  it('reads a traceparent into a context and writes it back the same; none or a malformed one is no trace', () => {
    expect(traceparentOf(contextOf(given))).toBe(given);
    for (const none of [undefined, null, '', 'not-a-traceparent', '00-00000000000000000000000000000000-00f067aa0ba902b7-01']) expect(traceparentOf(contextOf(none))).toBeNull();
  });

  it('continues the trace in hand, across awaits, with a new span id for what is written in it', async () => {
    expect(currentTraceparent()).toBeNull();
    const inside = await inSpan('work', { parent: contextOf(given) }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { traceparent: currentTraceparent(), traceId: currentTraceId() };
    });
    expect(inside.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(inside.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(inside.traceparent).not.toBe(given);
    expect(currentTraceparent()).toBeNull();
  });
});
