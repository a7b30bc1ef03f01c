/**
 * The OpenAPI 3.1 document of a service, made from its route declarations (http-routes.ts) and
 * their zod schemas; each service serves it at `GET /openapi.json`.
 *
 * Schemas are zod's own JSON Schema (`z.toJSONSchema`, draft 2020-12: the dialect of OpenAPI 3.1),
 * as the request is sent (`io: 'input'`: before defaults and transforms). Refinements written as
 * code (a sku given twice, a string Postgres cannot store) have no JSON Schema and are not in it.
 *
 * Besides what a route declares, every operation lists the refusals the kit gives any request, with
 * the error body of http-errors.ts: 400 `validation_failed` (every request's headers and query are
 * checked), 413 `payload_too_large` where there is a body, 401 `unauthorized` and 403 `forbidden`
 * with the bearer scheme on operator routes, and 500 `internal`.
 */
import { z } from 'zod';
import type { ErrorBody } from './http-errors';
import type { Route, ResponseSpec } from './http-routes';

type JsonSchema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  summary: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, unknown>;
  security?: Array<Record<string, string[]>>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  paths: Record<string, Partial<Record<Route['method'], Operation>>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

/** The error body every service answers with (http-errors.ts). */
const errorBody = z
  .object({
    error: z.string().describe('machine-readable code'),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('field-level details, when there are'),
  })
  .describe('the error body of every service') satisfies z.ZodType<ErrorBody>;

const OPERATOR_SCHEME = 'operatorToken';

/** What the kit's own refusals mean; a route's own codes are named as they are. */
const meaning: Record<string, string> = {
  validation_failed: 'the request is not valid (the details name each field)',
  unauthorized: 'no `Authorization: Bearer <token>`',
  forbidden: 'the operator token is not accepted',
  payload_too_large: 'the body is over the limit (64 KiB)',
  not_ready: 'the service is starting',
  unavailable: 'a dependency the request needs is away; try again after `Retry-After`',
  internal: 'an unexpected error (logged)',
};

const errorHeaders: Record<string, Record<string, string>> = {
  unauthorized: { 'WWW-Authenticate': 'Bearer realm="operator"' },
  forbidden: { 'WWW-Authenticate': 'Bearer realm="operator", error="invalid_token"' },
  unavailable: { 'Retry-After': 'seconds to wait: 1' },
};

/** Zod's JSON Schema of `schema`, without the `$schema` line (the document names its dialect). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // A value `.catch()` falls back for is never refused, so none of its fields is required.
    override: ({ zodSchema, jsonSchema }) => {
      if (io === 'input' && zodSchema._zod.def.type === 'catch') delete jsonSchema.required;
    },
  });
  return rest;
}

/** `/orders/:orderId` → `/orders/{orderId}` and its parameter names; other express path syntax is refused. */
function templated(path: string): { path: string; names: string[] } {
  const names: string[] = [];
  const segments = path.split('/').map((segment) => {
    const name = /^:(\w+)$/.exec(segment)?.[1];
    if (name) {
      names.push(name);
      return `{${name}}`;
    }
    if (/[:*?{}()]/.test(segment)) throw new Error(`${path}: only plain segments and :name parameters can be documented`);
    return segment;
  });
  return { path: segments.join('/'), names };
}

function parameters(where: Parameter['in'], object: z.ZodObject | undefined): Parameter[] {
  if (!object) return [];
  const json = jsonSchema(object, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema,
  }));
}

function pathParameters(route: Route, names: string[]): Parameter[] {
  const declared = Object.keys(route.params?.shape ?? {});
  if (declared.join() !== names.join()) {
    throw new Error(`${route.method.toUpperCase()} ${route.path}: params declares [${declared}], the path has [${names}]`);
  }
  return parameters('path', route.params);
}

/** The refusals of the route: the kit's for every request of its kind, and the route's own. */
function refusals(route: Route): Map<number, string[]> {
  const all = new Map<number, string[]>([[400, ['validation_failed']]]);
  const add = (status: number, codes: string[]) => all.set(status, [...new Set([...(all.get(status) ?? []), ...codes])]);
  if (route.operator) {
    add(401, ['unauthorized']);
    add(403, ['forbidden']);
  }
  if (route.body) add(413, ['payload_too_large']);
  for (const [status, codes] of Object.entries(route.errors ?? {})) add(Number(status), codes);
  add(500, ['internal']);
  return all;
}

const headerObjects = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]));

function errorResponse(codes: string[]) {
  const headers = Object.assign({}, ...codes.map((code) => errorHeaders[code] ?? {})) as Record<string, string>;
  return {
    description: codes.map((code) => (meaning[code] ? `\`${code}\`: ${meaning[code]}` : `\`${code}\``)).join('; '),
    ...(Object.keys(headers).length > 0 ? { headers: headerObjects(headers) } : {}),
    content: {
      'application/json': {
        schema: { allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { error: { enum: codes } } }] },
      },
    },
  };
}

function response(declared: string | ResponseSpec) {
  const { description, contentType = 'application/json', schema, headers }: ResponseSpec = typeof declared === 'string' ? { description: declared } : declared;
  return {
    description,
    ...(headers ? { headers: headerObjects(headers) } : {}),
    content: { [contentType]: schema ? { schema: jsonSchema(schema, 'output') } : {} },
  };
}

/** `post /orders/{orderId}/cancel` → `postOrdersOrderIdCancel`. */
const operationId = (method: string, path: string) =>
  method + path.split(/[^A-Za-z0-9]+/).filter(Boolean).map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');

function operation(route: Route, path: string, names: string[]): Operation {
  const responses: Record<string, unknown> = {};
  for (const [status, codes] of refusals(route)) responses[status] = errorResponse(codes);
  for (const [status, declared] of Object.entries(route.responses)) responses[status] = response(declared);
  const params = [...pathParameters(route, names), ...parameters('query', route.query as z.ZodObject | undefined), ...parameters('header', route.headers)];
  return {
    operationId: operationId(route.method, path),
    summary: route.summary,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body
      ? { requestBody: { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
    ...(route.operator ? { security: [{ [OPERATOR_SCHEME]: [] }] } : {}),
  };
}

/** The document of `routes`; a route declared twice, or whose params do not match its path, is refused. */
export function openApiDocument(info: OpenApiDocument['info'], routes: readonly Route[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const { path, names } = templated(route.path);
    const item = (paths[path] ??= {});
    if (item[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is declared twice`);
    item[route.method] = operation(route, path, names);
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBody, 'output') },
      securitySchemes: {
        [OPERATOR_SCHEME]: { type: 'http', scheme: 'bearer', description: 'an operator token, one of the service\'s ADMIN_TOKENS' },
      },
    },
  };
}
