/**
 * A route declared once: what express registers (`routerOf`) and what the OpenAPI document says
 * (`openApiDocument`) are read from the same declaration, so the two cannot drift apart.
 *
 * The kit validates what it declares as `query` and `body` before the handler runs (400
 * `validation_failed`, the same as `parseBody`) and hands the parsed values in. Path parameters and
 * headers are declared for the document and read by the handler (`pathParam`, `parseParam`),
 * because whether a malformed one is 400 or 404 ("no such order") is the route's to say.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { parseBody } from './http-errors';
import { nameRequestSpan } from './http-tracing';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One answer a route gives: described, with its media type (JSON unless said) and, where declared, its shape. */
export interface ResponseSpec {
  description: string;
  contentType?: 'application/json' | 'text/event-stream' | 'text/plain';
  schema?: z.ZodType;
  /** Response headers the route sets: name → what it means. */
  headers?: Record<string, string>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<B, Q> {
  body: Parsed<B>;
  query: Parsed<Q>;
}

type Schema = z.ZodType | undefined;

export interface Route<B extends Schema = Schema, Q extends Schema = Schema> {
  method: HttpMethod;
  /** Express syntax, `:name` segments only: `/orders/:orderId/cancel`. */
  path: string;
  summary: string;
  /** Only for operators: `Authorization: Bearer <token>` is checked before anything else (operator-access.ts). */
  operator?: boolean;
  /** Every path parameter, by name (documented; the handler reads it). */
  params?: z.ZodObject;
  /** The request headers the route reads (documented; the handler reads them). */
  headers?: z.ZodObject;
  /** The query, parsed by the kit: `input.query`. */
  query?: Q;
  /** The JSON body, parsed by the kit: `input.body`. Optional when the schema accepts no body (undefined). */
  body?: B;
  /** The answers the route gives, by status: a description, or a ResponseSpec. */
  responses: Record<number, string | ResponseSpec>;
  /** The refusals the route itself gives (`{ error, message }` bodies), by status: their error codes. */
  errors?: Record<number, string[]>;
  // A method, so that a Route of particular schemas is still a Route (method parameters are bivariant).
  handle(req: Request, res: Response, input: RouteInput<B, Q>): Promise<void> | void;
}

/** Declares a route; its schemas type the handler's input. */
export const route = <B extends Schema = undefined, Q extends Schema = undefined>(declaration: Route<B, Q>): Route => declaration as Route;

/**
 * The express router of the declarations, in their order. An operator route gets `operatorOnly`
 * in front; declaring one without it is a mistake found here, not by a caller let through.
 */
export function routerOf(routes: readonly Route[], { operatorOnly }: { operatorOnly?: RequestHandler } = {}): Router {
  const router = Router();
  for (const declared of routes) {
    if (declared.operator && !operatorOnly) throw new Error(`${declared.method.toUpperCase()} ${declared.path} is an operator route: routerOf needs operatorOnly`);
    const guard = declared.operator && operatorOnly ? [operatorOnly] : [];
    const named: RequestHandler = (_req, res, next) => {
      nameRequestSpan(res, declared.method, declared.path);
      next();
    };
    router[declared.method](declared.path, named, ...guard, async (req: Request, res: Response) => {
      const query = declared.query ? parseBody(declared.query, req.query, 'query') : undefined;
      const body = declared.body ? parseBody(declared.body, req.body) : undefined;
      await declared.handle(req, res, { query, body });
    });
  }
  return router;
}
