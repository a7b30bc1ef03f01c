import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { accessLog, REQUEST_ID_HEADER } from './access-log';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import { errorHandler, notFoundHandler } from './http-errors';
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
}

/** What a browser on an allowed origin may send and read: the contract's headers. */
const corsOptions = (origins: string[]): cors.CorsOptions => ({
  origin: origins,
  allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'Last-Event-ID'],
  exposedHeaders: ['Location', 'Retry-After', 'X-Wait-Timed-Out', REQUEST_ID_HEADER],
  maxAge: 600,
});

/**
 * The express app every service serves: an access log line for every request, with its request id
 * (access-log.ts); security headers (helmet's defaults) on every answer, CORS
 * for the allowed origins only (another origin's preflight gets no Access-Control-Allow-Origin),
 * JSON bodies up to the limit, its routes, health, and the error contract.
 */
export function createHttpApp({ logger, routes, readiness = [], bodyLimit = '64kb', metrics, corsOrigins = [] }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(accessLog(logger));
  app.use(helmet());
  app.use(cors(corsOptions(corsOrigins)));
  if (metrics) {
    app.use(metrics.httpMiddleware);
    app.get('/metrics', async (_req, res) => {
      res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  app.use(express.json({ limit: bodyLimit }));
  app.use(refuseUnstorableInput);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(readiness.map(runCheck));
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: results });
  });
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
