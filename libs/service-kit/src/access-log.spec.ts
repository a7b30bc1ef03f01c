import type { Server } from 'node:http';
import { duplicateKeys } from '@webshop/testing-core';
import { createHttpApp, listen } from './http-app';
import { createLogger } from './logger';

describe('the access log of the HTTP app', () => {
  const text: string[] = [];
  const lines = () => text.map((line) => JSON.parse(line) as Record<string, unknown>);
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const logger = createLogger({ service: 'payment' }, 'info', { write: (line: string) => void text.push(line) });
    server = await listen(createHttpApp({ logger }), 0);
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => void text.splice(0));

  /** The access line of the request with this id, once the answer is finished (pino-http logs on finish). */
  const accessLine = async (requestId: string) => {
    for (let i = 0; i < 50 && !lines().some((l) => l['requestId'] === requestId); i++) await new Promise((resolve) => setImmediate(resolve));
    return lines().find((l) => l['requestId'] === requestId);
  };

  it("logs a request with the caller's X-Request-Id, answers it in X-Request-Id, and logs no header", async () => {
    const response = await fetch(`${base}/accounts/alice?x=1`, { headers: { 'x-request-id': 'qa-run-7.42', authorization: 'Bearer sekrit-token-1234567890' } });
    expect([response.status, response.headers.get('x-request-id')]).toEqual([404, 'qa-run-7.42']);
    expect(await accessLine('qa-run-7.42')).toEqual({
      level: 'info',
      time: expect.any(String),
      service: 'payment',
      requestId: 'qa-run-7.42',
      method: 'GET',
      url: '/accounts/alice?x=1',
      status: 404,
      responseTimeMs: expect.any(Number),
      msg: 'GET /accounts/alice?x=1 404',
    });
    expect(text.join('')).not.toMatch(/sekrit|authorization/i);
    expect(text.map(duplicateKeys)).toEqual(text.map(() => []));
  });

  it('gives a request without a usable id a new one: none given, or one that could break a line', async () => {
    for (const given of [undefined, 'two words', 'x'.repeat(129)]) {
      const response = await fetch(`${base}/nowhere`, given === undefined ? {} : { headers: { 'x-request-id': given } });
      const id = response.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await accessLine(id)).toMatchObject({ method: 'GET', url: '/nowhere', status: 404 });
    }
  });

  it('logs the health probes at debug only', async () => {
    const response = await fetch(`${base}/readyz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(response.status).toBe(200);
    await fetch(`${base}/nowhere`, { headers: { 'x-request-id': 'after-probe' } });
    await accessLine('after-probe');
    expect(lines().map((l) => l['requestId'])).toEqual(['after-probe']);
  });
});
