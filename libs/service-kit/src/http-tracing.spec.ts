/**
 * The span of each request, recorded by the OpenTelemetry SDK into an in-memory exporter: the
 * caller's traceparent is its parent, the route names it, the route's work (after the JSON body was
 * read) is its child, a 5xx is an error, the probes make none, and the access line and the route's
 * own lines carry its trace id.
 */
import type { Server } from 'node:http';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { z } from 'zod';
import { currentTraceparent, inSpan, startTracing, type Tracing } from '@webshop/tracing';
import { createHttpApp, listen } from './http-app';
import { route, routerOf } from './http-routes';
import { createLogger } from './logger';

describe('the span of each request', () => {
  const exporter = new InMemorySpanExporter();
  const text: string[] = [];
  const lines = () => text.map((line) => JSON.parse(line) as Record<string, unknown>);
  let tracing: Tracing;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    tracing = await startTracing({ service: 'orders', exporter, immediate: true });
    const logger = createLogger({ service: 'orders' }, 'info', { write: (line: string) => void text.push(line) });
    const routes = routerOf([
      route({
        method: 'post',
        path: '/things/:thingId',
        summary: 'a route whose work is a span of its own, after the body was read',
        body: z.object({ n: z.number(), pad: z.string().optional() }),
        responses: { 200: 'the traceparent its work ran in' },
        async handle(_req, res, { body }) {
          const inWork = await inSpan('work', {}, async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            logger.info('working', { n: body.n });
            return currentTraceparent();
          });
          res.json({ inWork });
        },
      }),
      route({ method: 'get', path: '/broken', summary: 'fails', responses: {}, handle: () => Promise.reject(new Error('boom')) }),
    ]);
    server = await listen(createHttpApp({ logger, routes }), 0);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await tracing.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    text.splice(0);
  });

  const finished = async (count: number): Promise<ReadableSpan[]> => {
    for (let i = 0; i < 100 && exporter.getFinishedSpans().length < count; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return exporter.getFinishedSpans();
  };

  it("continues the caller's trace: named by its route, the route's work its child, the trace id on the lines", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${base}/things/7`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ n: 1, pad: 'x'.repeat(60_000) }),
    });
    expect(response.status).toBe(200);
    const { inWork } = (await response.json()) as { inWork: string };
    const spans = await finished(2);
    const server = spans.find((s) => s.name === 'POST /things/:thingId')!;
    const work = spans.find((s) => s.name === 'work')!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/things/:thingId', 'url.path': '/things/7', 'http.response.status_code': 200 });
    expect(work.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(inWork).toBe(`00-${traceId}-${work.spanContext().spanId}-01`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines().filter((l) => l['msg'] === 'working' || l['msg'] === 'POST /things/7 200').map((l) => l['traceId'])).toEqual([traceId, traceId]);
  });

  it('starts a trace for a request without a traceparent (or with a malformed one), marks a 5xx an error, and traces no probe', async () => {
    for (const headers of [{}, { traceparent: 'not-a-traceparent' }] as Array<Record<string, string>>) {
      expect((await fetch(`${base}/broken`, { headers })).status).toBe(500);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const spans = await finished(2);
    expect(spans.map((s) => [s.name, s.parentSpanContext, s.status.code])).toEqual([
      ['GET /broken', undefined, 2],
      ['GET /broken', undefined, 2],
    ]);
    expect(spans[0]!.spanContext().traceId).not.toBe(spans[1]!.spanContext().traceId);
  });
});
