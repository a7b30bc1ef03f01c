/**
 * Declared routes through a real express app as createHttpApp builds it: the kit parses the
 * declared query and body before the handler, guards operator routes, and serves the document.
 */
import type { Server } from 'node:http';
import { z } from 'zod';
import { createHttpApp, listen } from './http-app';
import { route, routerOf } from './http-routes';
import { createLogger } from './logger';
import { operatorAccess } from './operator-access';
import { openApiDocument } from './openapi';

const token = 'a-test-operator-token-1234';
const routes = [
  route({
    method: 'put',
    path: '/products/:sku',
    summary: 'Define a product',
    operator: true,
    params: z.object({ sku: z.string() }),
    query: z.object({ dryRun: z.enum(['yes', 'no']).default('no') }),
    body: z.object({ priceCents: z.number().int().min(0) }).strict(),
    responses: { 200: 'the product' },
    handle: (req, res, { body, query }) => void res.json({ sku: req.params['sku'], ...body, ...query }),
  }),
];

let server: Server;
let base: string;
beforeAll(async () => {
  const { operatorOnly } = operatorAccess({ ADMIN_TOKENS: [token] });
  const app = createHttpApp({
    logger: createLogger({ service: 'stock' }, 'silent'),
    routes: routerOf(routes, { operatorOnly }),
    openApi: (own) => openApiDocument({ title: 'stock', version: '1' }, [...own, ...routes]),
  });
  server = await listen(app, 0);
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const put = async (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) => {
  const response = await fetch(base + path, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
};

describe('declared routes', () => {
  it('hand the handler the parsed query and body', async () => {
    expect(await put('/products/TEA-1?dryRun=yes', { priceCents: 450 })).toEqual({ status: 200, body: { sku: 'TEA-1', priceCents: 450, dryRun: 'yes' } });
    expect(await put('/products/TEA-1', { priceCents: 450 })).toMatchObject({ body: { dryRun: 'no' } });
  });

  it('refuse a body or query their schema refuses with 400 validation_failed naming the field', async () => {
    expect(await put('/products/TEA-1', { priceCents: -1 })).toMatchObject({
      status: 400,
      body: { error: 'validation_failed', message: 'the request body is not valid', details: [expect.objectContaining({ path: 'priceCents' })] },
    });
    expect(await put('/products/TEA-1?dryRun=maybe', { priceCents: 1 })).toMatchObject({
      status: 400,
      body: { error: 'validation_failed', message: 'the query is not valid', details: [expect.objectContaining({ path: 'dryRun' })] },
    });
  });

  it('check the operator token before reading anything', async () => {
    expect(await put('/products/TEA-1', { priceCents: -1 }, {})).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    expect(await put('/products/TEA-1', { priceCents: -1 }, { authorization: 'Bearer not-the-token' })).toMatchObject({ status: 403, body: { error: 'forbidden' } });
  });

  it('cannot be an operator route without the operator check', () => {
    expect(() => routerOf(routes)).toThrow('PUT /products/:sku is an operator route: routerOf needs operatorOnly');
  });

  it('are documented at /openapi.json with the app’s own routes, no token needed', async () => {
    const response = await fetch(`${base}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.fromEntries(Object.entries(document.paths).map(([path, item]) => [path, Object.keys(item)]))).toEqual({
      '/healthz': ['get'],
      '/readyz': ['get'],
      '/openapi.json': ['get'],
      '/products/{sku}': ['put'],
    });
  });
});
