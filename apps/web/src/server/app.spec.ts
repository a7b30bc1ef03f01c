import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '@webshop/service-kit';
import { freePort, waitFor } from '@webshop/testing';
import { createSseParser, type SseMessage } from '../client/lib/sse';
import { createWebApp } from './app';
import { createPulseModel } from './pulse-model';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A stand-in service: records each request, answers 201 with a Location and its own JSON. */
async function standIn() {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.writeHead(202, { 'content-type': 'application/json', location: '/orders/o1' }).end('{"orderId":"o1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

const event = (eventId: string) => ({ eventId, type: 'PurchaseRequested', topic: 'orders', partition: 0, offset: '0', occurredAt: '2026-01-01T00:00:00.000Z', producer: 'orders', key: 'o1', causationId: null, data: {} });

describe('the web server', () => {
  const model = createPulseModel(100);
  const stopping = new AbortController();
  let orders: Awaited<ReturnType<typeof standIn>>;
  let web: http.Server;
  let base: string;

  beforeAll(async () => {
    orders = await standIn();
    const down = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    const staticDir = mkdtempSync(path.join(os.tmpdir(), 'web-static-'));
    writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>app</title>');
    const app = createWebApp({
      urls: { orders: orders.url, payment: down, stock: down, shipping: down, email: down },
      model,
      staticDir,
      logger: createLogger({ service: 'web-test' }, 'silent'),
      healthIntervalMs: 60_000,
      ready: () => undefined,
      stopping: stopping.signal,
    });
    web = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    stopping.abort();
    web.closeAllConnections();
    await new Promise((r) => web.close(r));
    await orders.close();
  });

  it("passes the operator's Authorization header on, and adds none of its own", async () => {
    await fetch(`${base}/api/orders/orders?x=1`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer typed-by-the-operator' }, body: '{"a":1}' });
    expect(orders.seen.at(-1)!.headers['authorization']).toBe('Bearer typed-by-the-operator');
    await fetch(`${base}/api/orders/orders?x=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(orders.seen.at(-1)!.headers['authorization']).toBeUndefined();
  });

  it('hands /api/orders/… to orders with its path, query, body and Idempotency-Key, and the answer back whole', async () => {
    const response = await fetch(`${base}/api/orders/orders?x=1`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' }, body: '{"a":1}' });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe('/orders/o1');
    expect(await response.json()).toEqual({ orderId: 'o1' });
    expect(orders.seen.at(-1)).toMatchObject({ method: 'POST', url: '/orders?x=1', body: '{"a":1}', headers: { 'idempotency-key': 'k1', 'content-type': 'application/json' } });
  });

  it('answers 502 service_unavailable naming the service when it does not answer', async () => {
    const response = await fetch(`${base}/api/payment/accounts/alice`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: 'service_unavailable', service: 'payment', message: expect.stringContaining('payment service is not answering') });
  });

  it('answers 404 in the error shape for an API it does not have, and the app for any page path', async () => {
    const missing = await fetch(`${base}/api/nothing/here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    const page = await fetch(`${base}/orders/some-order`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>app</title>');
  });

  it('streams the pulse: what it has, then each new event, and resumes after Last-Event-ID', async () => {
    model.add(event('a'));
    model.add(event('b'));
    const read = async (headers: Record<string, string>, until: (m: SseMessage[]) => boolean) => {
      const controller = new AbortController();
      const response = await fetch(`${base}/api/pulse/stream`, { headers, signal: controller.signal });
      const messages: SseMessage[] = [];
      const parser = createSseParser((m) => m.event === 'pulse' && messages.push(m));
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      const reading = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          parser.push(decoder.decode(value, { stream: true }));
        }
      })().catch(() => undefined);
      return { messages, done: async () => (await waitFor(() => until(messages), { description: 'the pulse events' }), controller.abort(), await reading) };
    };
    const first = await read({}, (m) => m.length >= 3);
    await waitFor(() => first.messages.length === 2, { description: 'the backlog' });
    model.add(event('c'));
    await first.done();
    expect(first.messages.map((m) => [m.id, JSON.parse(m.data).eventId])).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
    const resumed = await read({ 'Last-Event-ID': '2' }, (m) => m.length >= 1);
    await resumed.done();
    expect(resumed.messages.map((m) => m.id)).toEqual(['3']);
  });
});
