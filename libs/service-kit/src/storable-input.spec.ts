/**
 * The refusal of strings Postgres cannot store, through a real express app as createHttpApp builds
 * it (no Kafka or Postgres needed: the point is that such a request never reaches them).
 */
import { Router } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { z } from 'zod';
import { createHttpApp, listen } from './http-app';
import { createLogger } from './logger';
import { parseBody } from './http-errors';
import { parseParam, pathParam, refuseUnstorableInput, storableString, unstorableReason } from './storable-input';
import { HttpError } from './http-errors';

describe('unstorableReason', () => {
  it.each(['\u0000', 'a\u0000b', 'x\ud800', '\udc00', 'a\ud83d', '\ude00b'])('refuses %j', (value) => {
    expect(unstorableReason(value)).toEqual(expect.any(String));
  });
  it.each(['', 'Ada Lovelace', '😀', 'é\u0001\u007f', '\\u0000', '%00', '\ud83d\ude00x'])('takes %j', (value) => {
    expect(unstorableReason(value)).toBeUndefined();
  });
});

describe('storableString', () => {
  const name = storableString().trim().min(1).max(5);
  it('refuses a NUL or an unpaired surrogate with an issue at the field, and chains like z.string', () => {
    const schema = z.object({ address: z.object({ name }) });
    const result = schema.safeParse({ address: { name: 'a\u0000b' } });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toEqual([expect.objectContaining({ path: ['address', 'name'], message: expect.stringContaining('NUL') })]);
    expect(name.safeParse('x\ud800').error!.issues[0]!.message).toContain('surrogate');
    expect(name.safeParse('  ab  ').data).toBe('ab');
    expect(name.safeParse('abcdef').success).toBe(false);
  });
});

describe('refuseUnstorableInput', () => {
  let server: Server;
  let base: string;
  const seen: unknown[] = [];

  beforeAll(async () => {
    const routes = Router();
    routes.post('/accounts/:customerId/deposits', (req, res) => {
      const customerId = parseParam(storableString().min(1).max(10), req, 'customerId');
      seen.push({ customerId, body: req.body });
      res.json({ customerId });
    });
    routes.get('/orders/:orderId', (req, res) => {
      const orderId = pathParam(req, 'orderId');
      if (!z.uuid().safeParse(orderId).success) throw new HttpError(404, 'not_found', 'no such order');
      res.json({ orderId });
    });
    routes.get('/orders', (req, res) => {
      res.json(parseBody(z.object({ customerId: storableString().optional() }), req.query, 'query'));
    });
    const app = createHttpApp({ logger: createLogger({ service: 'test' }, 'silent'), routes });
    server = await listen(app, 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const send = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(base + path, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) => send(path, { method: 'POST', body, headers });
  const refused = (...paths: string[]) => ({
    status: 400,
    body: expect.objectContaining({ error: 'validation_failed', message: expect.any(String), details: paths.map((path) => ({ path, message: expect.any(String) })) }),
  });

  it('refuses a NUL or an unpaired surrogate in any body string, naming the field', async () => {
    const body = (name: string) => JSON.stringify({ amountCents: 1, shippingAddress: { name, lines: ['ok', name] } });
    expect(await post('/accounts/ada/deposits', body('a\u0000b'))).toEqual(refused('shippingAddress.name', 'shippingAddress.lines.1'));
    expect(await post('/accounts/ada/deposits', body('\ud800'))).toEqual(refused('shippingAddress.name', 'shippingAddress.lines.1'));
    expect(await post('/accounts/ada/deposits', '"\\u0000"')).toMatchObject({ status: 400 });
    expect(seen).toEqual([]);
  });

  it('refuses a NUL in an object key, and stays within bounds for a deeply nested or huge body', async () => {
    expect(await post('/accounts/ada/deposits', '{"a\\u0000b": 1}')).toEqual(refused('a\\u0000b'));
    const deep = '['.repeat(20_000) + '"\\u0000"' + ']'.repeat(20_000);
    const answer = await post('/accounts/ada/deposits', deep);
    expect(answer).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    const many = JSON.stringify({ list: Array.from({ length: 1_000 }, () => '\u0000') });
    expect((await post('/accounts/ada/deposits', many)).body.details).toHaveLength(20);
    expect(seen).toEqual([]);
  });

  it('refuses a NUL in a query value, a repeated one included, as query.<name>', async () => {
    expect(await send('/orders?customerId=a%00b')).toEqual(refused('query.customerId'));
    expect(await send('/orders?customerId=a&customerId=%00')).toEqual(refused('query.customerId.1'));
    expect(await send('/orders?%00=x')).toEqual(refused('query.\\u0000'));
    expect(await send('/orders?customerId=ada')).toEqual({ status: 200, body: { customerId: 'ada' } });
  });

  it('refuses a NUL in a header as header.<name> (Node refuses a raw one before express sees it)', () => {
    let passed: unknown = 'not called';
    const req = { headers: { 'idempotency-key': 'a\u0000b', accept: 'x' }, query: {}, body: undefined } as never;
    refuseUnstorableInput(req, {} as never, (error?: unknown) => (passed = error));
    expect(passed).toBeInstanceOf(HttpError);
    expect((passed as HttpError).toBody()).toEqual({
      error: 'validation_failed',
      message: expect.any(String),
      details: [{ path: 'header.idempotency-key', message: expect.stringContaining('NUL') }],
    });
  });

  it('refuses a NUL in a path parameter naming it, before the id is looked at', async () => {
    expect(await post('/accounts/a%00b/deposits', '{"amountCents":1}')).toEqual(refused('customerId'));
    expect(await send('/orders/%00')).toEqual(refused('orderId'));
    expect(await send('/orders/not-a-uuid')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await post('/accounts/waytoolongforit/deposits', '{}')).toEqual(refused('customerId'));
    expect(seen).toEqual([]);
  });

  it('answers a path no route takes with a NUL in it 400, and without one 404', async () => {
    expect(await send('/nothing/here%00')).toEqual(refused('params'));
    expect(await send('/nothing/here')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('answers 400, never 500, for requests express or body-parser cannot read', async () => {
    expect(await send('/orders/%E0%A4%A')).toEqual(refused('params'));
    expect(await post('/accounts/%E0%A4%A/deposits', '{}')).toEqual(refused('params'));
    expect(await post('/accounts/ada/deposits', '{}', { 'content-type': 'application/json; charset=latin-9' })).toEqual(refused('header.content-type'));
    expect(await post('/accounts/ada/deposits', '{}', { 'content-encoding': 'br2' })).toEqual(refused('header.content-encoding'));
    expect(await post('/accounts/ada/deposits', '{}', { 'content-encoding': 'gzip' })).toEqual(refused('(request)'));
    expect(await post('/accounts/ada/deposits', '{"a":')).toMatchObject({ status: 400, body: { error: 'validation_failed' } });
    expect(await post('/accounts/ada/deposits', JSON.stringify({ pad: 'x'.repeat(70_000) }))).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(seen).toEqual([]);
  });

  it('lets storable input through: astral characters, control characters other than NUL, escapes as text', async () => {
    const body = { name: '😀 é \u0001 \\u0000 %00' };
    expect(await post('/accounts/ada/deposits', JSON.stringify(body))).toEqual({ status: 200, body: { customerId: 'ada' } });
    expect(seen).toEqual([{ customerId: 'ada', body }]);
  });
});
