import { validate, compileErrors } from '@readme/openapi-parser';
import { z } from 'zod';
import { route, type Route } from './http-routes';
import { openApiDocument } from './openapi';

const info = { title: 'shop', version: '1.0.0' };
const nothing = () => undefined;

const deposit = route({
  method: 'post',
  path: '/accounts/:customerId/deposits',
  summary: 'Deposit',
  operator: true,
  params: z.object({ customerId: z.string().min(1) }),
  body: z.object({ amountCents: z.number().int().min(1) }).strict(),
  responses: { 200: { description: 'the account', schema: z.object({ balanceCents: z.number().int() }) } },
  errors: { 422: ['balance_limit_exceeded'] },
  handle: nothing,
});

const listing = route({
  method: 'get',
  path: '/orders',
  summary: 'Orders',
  headers: z.object({ 'Idempotency-Key': z.string().optional() }),
  query: z.object({ customerId: z.string(), limit: z.coerce.number().int().default(20), cursor: z.string().optional() }),
  responses: { 200: 'a page' },
  handle: nothing,
});

const cancel = route({
  method: 'post',
  path: '/orders/:orderId/cancel',
  summary: 'Cancel',
  params: z.object({ orderId: z.string().uuid() }),
  body: z.object({ reason: z.string() }).catch({ reason: 'none given' }),
  responses: { 202: 'the order' },
  handle: nothing,
});

const stream = route({
  method: 'get',
  path: '/orders/:orderId/updates',
  summary: 'Stream',
  params: z.object({ orderId: z.string() }),
  responses: { 200: { description: 'events', contentType: 'text/event-stream' } },
  handle: nothing,
});

const documentOf = (...routes: Route[]) => openApiDocument(info, routes);

describe('the OpenAPI document of route declarations', () => {
  it('is OpenAPI 3.1 that a validator accepts', async () => {
    const document = documentOf(deposit, listing, cancel, stream);
    expect(document).toMatchObject({ openapi: '3.1.0', info });
    const result = await validate(structuredClone(document) as never);
    expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
  });

  it('writes express paths as templates, one operation per method and path', () => {
    const { paths } = documentOf(deposit, listing, cancel, stream);
    expect(Object.keys(paths)).toEqual(['/accounts/{customerId}/deposits', '/orders', '/orders/{orderId}/cancel', '/orders/{orderId}/updates']);
    expect(paths['/orders/{orderId}/cancel']).toEqual({ post: expect.objectContaining({ operationId: 'postOrdersOrderIdCancel', summary: 'Cancel' }) });
  });

  it('describes path, query and header parameters from their schemas, required as the schema says', () => {
    const { paths } = documentOf(deposit, listing);
    expect(paths['/accounts/{customerId}/deposits']!.post!.parameters).toEqual([{ name: 'customerId', in: 'path', required: true, schema: { type: 'string', minLength: 1 } }]);
    expect(paths['/orders']!.get!.parameters).toEqual([
      { name: 'customerId', in: 'query', required: true, schema: { type: 'string' } },
      { name: 'limit', in: 'query', required: false, schema: expect.objectContaining({ type: 'integer', default: 20 }) },
      { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } },
    ]);
  });

  it('gives the body as it is sent; a body the schema may go without is optional', () => {
    const { paths } = documentOf(deposit, cancel);
    expect(paths['/accounts/{customerId}/deposits']!.post!.requestBody).toEqual({
      required: true,
      content: {
        'application/json': {
          schema: { type: 'object', properties: { amountCents: expect.objectContaining({ type: 'integer', minimum: 1 }) }, required: ['amountCents'], additionalProperties: false },
        },
      },
    });
    // A caught schema refuses nothing: the body may be left out, no field is required, and what it falls back to is said.
    expect(paths['/orders/{orderId}/cancel']!.post!.requestBody).toEqual({
      required: false,
      content: { 'application/json': { schema: { type: 'object', properties: { reason: { type: 'string' } }, default: { reason: 'none given' } } } },
    });
  });

  it("lists the route's answers, its own refusals and the kit's, each refusal with the error body and its codes", () => {
    const { paths, components } = documentOf(deposit, stream);
    const responses = paths['/accounts/{customerId}/deposits']!.post!.responses as Record<string, { description: string; content: Record<string, { schema: unknown }> }>;
    expect(Object.keys(responses)).toEqual(['200', '400', '401', '403', '413', '422', '500']);
    expect(responses['200']!.content['application/json']!.schema).toEqual(expect.objectContaining({ properties: { balanceCents: expect.objectContaining({ type: 'integer' }) } }));
    expect(responses['422']!.content['application/json']!.schema).toEqual({
      allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { error: { enum: ['balance_limit_exceeded'] } } }],
    });
    expect(responses['401']).toMatchObject({ headers: { 'WWW-Authenticate': { schema: { type: 'string' } } } });
    expect(components.schemas['Error']).toEqual({
      description: 'the error body of every service',
      type: 'object',
      properties: {
        error: { type: 'string', description: 'machine-readable code' },
        message: { type: 'string' },
        details: expect.objectContaining({ type: 'array' }),
      },
      required: ['error', 'message'],
      additionalProperties: false,
    });
    // No body, no operator: neither 413 nor 401/403.
    expect(Object.keys(paths['/orders/{orderId}/updates']!.get!.responses)).toEqual(['200', '400', '500']);
    expect(paths['/orders/{orderId}/updates']!.get!.responses['200']).toEqual({ description: 'events', content: { 'text/event-stream': {} } });
  });

  it('puts the bearer scheme on operator routes only', () => {
    const { paths, components } = documentOf(deposit, listing);
    expect(components.securitySchemes).toEqual({ operatorToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    expect(paths['/accounts/{customerId}/deposits']!.post!.security).toEqual([{ operatorToken: [] }]);
    expect(paths['/orders']!.get!.security).toBeUndefined();
  });

  it('refuses declarations it cannot describe truthfully', () => {
    expect(() => documentOf(listing, listing)).toThrow('GET /orders is declared twice');
    expect(() => documentOf({ ...stream, params: undefined })).toThrow('params declares [], the path has [orderId]');
    expect(() => documentOf({ ...stream, params: z.object({ id: z.string() }) })).toThrow('params declares [id], the path has [orderId]');
    expect(() => documentOf({ ...listing, path: '/files/*rest' })).toThrow('only plain segments and :name parameters');
  });
});
