import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { z } from 'zod';
import { accessLog, REQUEST_ID_HEADER } from './access-log';
import { traceRequests } from './http-tracing';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { errorHandler, notFoundHandler } from './http-errors';
import { route, routerOf, type Route } from './http-routes';
import type { OpenApiDocument } from './openapi';
import { refuseUnstorableInput } from './storable-input';

/** A readiness check: resolves when the dependency is usable, throws with the reason when not. */
export type HealthCheck = { name: string; check: () => Promise<void> | void };

/** A check that has not answered by then counts as failed: /readyz answers in time whatever hangs. */
const CHECK_TIMEOUT_MS = 2_000;

async function runCheck({ name, check }: HealthCheck): Promise<{ name: string; ok: boolean; reason?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timedOut]);
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export interface HttpAppOptions {
  logger: Logger;
  /** The service's routes (a Router). */
  routes?: RequestHandler;
  readiness?: HealthCheck[];
  /** Request bodies above this are refused with 413. */
  bodyLimit?: string;
  metrics?: ServiceMetrics;
  /** Browser origins allowed to call across origins (CORS_ORIGIN: the web front end's); none by default. */
  corsOrigins?: string[];
  /**
   * The document served at `GET /openapi.json`, given the app's own routes (health, metrics, this
   * one) to describe beside the service's; it may throw (an HttpError: 503 while starting). None: no route.
   */
  openApi?: (ownRoutes: readonly Route[]) => OpenApiDocument;
}

/** What a browser on an allowed origin may send and read: the contract's headers. */
const corsOptions = (origins: string[]): cors.CorsOptions => ({
  origin: origins,
  allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'Last-Event-ID'],
  exposedHeaders: ['Location', 'Retry-After', 'X-Wait-Timed-Out', REQUEST_ID_HEADER],
  maxAge: 600,
});

const readinessBody = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), reason: z.string().optional() })),
});

/** The routes of the app itself, declared like a service's so its document has them. */
function ownRoutes({ readiness: checks, metrics, openApi }: Pick<HttpAppOptions, 'readiness' | 'metrics' | 'openApi'>): Route[] {
  const routes: Route[] = [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: 200 while the process is alive',
      responses: { 200: { description: 'alive', schema: z.object({ status: z.literal('ok') }) } },
      handle: (_req, res) => void res.json({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: every check (lifecycle, postgres, kafka), each given at most 2 s',
      responses: { 200: { description: 'ready', schema: readinessBody }, 503: { description: 'starting, stopping or a dependency away', schema: readinessBody } },
      async handle(_req, res) {
        const results = await Promise.all((checks ?? []).map(runCheck));
        const ready = results.every((r) => r.ok);
        res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: results } satisfies z.infer<typeof readinessBody>);
      },
    }),
  ];
  if (metrics) {
    routes.push(
      route({
        method: 'get',
        path: '/metrics',
        summary: 'Prometheus metrics',
        responses: { 200: { description: 'the metrics, in the Prometheus text format', contentType: 'text/plain' } },
        async handle(_req, res) {
          res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
        },
      }),
    );
  }
  if (openApi) {
    routes.push(
      route({
        method: 'get',
        path: '/openapi.json',
        summary: 'This document: the OpenAPI 3.1 description of every route the service answers',
        responses: { 200: 'the OpenAPI document' },
        errors: { 503: ['not_ready'] },
        handle: (_req, res) => void res.json(openApi(routes)),
      }),
    );
  }
  return routes;
}

/**
 * The express app every service serves: a span for every request (http-tracing.ts); an access log
 * line for every request, with its request id and trace id (access-log.ts); security headers (helmet's defaults) on every answer, CORS
 * for the allowed origins only (another origin's preflight gets no Access-Control-Allow-Origin),
 * JSON bodies up to the limit, its routes, health, and the error contract.
 */
export function createHttpApp({ logger, routes, readiness = [], bodyLimit = '64kb', metrics, corsOrigins = [], openApi }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(traceRequests());
  app.use(accessLog(logger));
  app.use(helmet());
  app.use(cors(corsOptions(corsOrigins)));
  if (metrics) app.use(metrics.httpMiddleware);
  app.use(express.json({ limit: bodyLimit }));
  app.use(refuseUnstorableInput);
  app.use(routerOf(ownRoutes({ readiness, metrics, openApi })));
  if (routes) app.use(routes);
  app.use(notFoundHandler);
  app.use(errorHandler((error) => logger.error('unhandled error in request', { err: error })));
  return app;
}

export function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, () => resolve(server));
    server.once('error', reject);
  });
}
