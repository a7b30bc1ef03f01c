/**
 * The web server's routes: the browser app (static files, and index.html for every page path), the
 * proxy to the five services (`/api/<service>/…`), and the pulse (`/api/pulse/…`), its own read
 * model of every topic plus the services' readiness and metrics.
 *
 * `GET /api/pulse/stream` (Server-Sent Events): `event: pulse` per event, `id:` its sequence number
 * (a resume with `Last-Event-ID: N` sends what came after N; a first connection the newest
 * `backlog`), and `event: health` with every service's health every HEALTH_INTERVAL_MS.
 * Comments (`: keep-alive`) go out every 15 s.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request } from 'express';
import type { ServiceName } from '@webshop/events';
import type { Logger } from '@webshop/service-kit';
import type { PulseEvent, ServiceHealth } from '../shared/types';
import type { PulseModel } from './pulse-model';
import { createProxy } from './proxy';
import { checkServices } from './service-health';

export interface WebAppOptions {
  urls: Record<ServiceName, string>;
  model: PulseModel;
  staticDir: string;
  logger: Logger;
  healthIntervalMs: number;
  /** The pulse consumer's readiness: throws with the reason when not ready. */
  ready: () => void;
  /** Aborted when the server begins to stop: live streams end with `event: reconnect`. */
  stopping: AbortSignal;
}

const BACKLOG = 300;

export function createWebApp({ urls, model, staticDir, logger, healthIntervalMs, ready, stopping }: WebAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    const checks = [{ name: 'lifecycle', ok: !stopping.aborted, ...(stopping.aborted ? { reason: 'stopping' } : {}) }];
    try {
      ready();
      checks.push({ name: 'kafka', ok: true });
    } catch (error) {
      checks.push({ name: 'kafka', ok: false, reason: (error as Error).message });
    }
    const ok = checks.every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', checks });
  });

  // One poller for every watcher: the services are asked once per interval however many tabs are open.
  let latest: ServiceHealth[] = [];
  const watchers = new Set<(health: ServiceHealth[]) => void>();
  let poller: NodeJS.Timeout | undefined;
  const poll = async () => {
    latest = await checkServices(urls, model);
    for (const watcher of watchers) watcher(latest);
    if (watchers.size > 0 && !stopping.aborted) poller = setTimeout(() => void poll(), healthIntervalMs);
    else poller = undefined;
  };
  const watch = (watcher: (health: ServiceHealth[]) => void) => {
    watchers.add(watcher);
    if (latest.length) watcher(latest);
    if (!poller) poller = setTimeout(() => void poll(), 0);
    return () => watchers.delete(watcher);
  };
  stopping.addEventListener('abort', () => clearTimeout(poller));

  app.get('/api/pulse/health', async (_req, res) => void res.json(await checkServices(urls, model)));
  app.get('/api/pulse/events', (req, res) => {
    const { orderId, type } = req.query;
    const limit = Math.min(Math.max(Number(req.query['limit']) || 100, 1), 1000);
    let events = model.since(0);
    if (typeof orderId === 'string' && orderId) events = events.filter((e) => e.key === orderId);
    if (typeof type === 'string' && type) events = events.filter((e) => e.type === type);
    res.json(events.slice(-limit).reverse());
  });
  app.get('/api/pulse/stream', (req, res) => {
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.flushHeaders();
    const send = (event: PulseEvent) => res.write(`id: ${event.seq}\nevent: pulse\ndata: ${JSON.stringify(event)}\n\n`);
    const after = lastEventId(req);
    for (const event of after === null ? model.since(0, BACKLOG) : model.since(after)) send(event);
    const unlisten = model.listen(send);
    const unwatch = watch((health) => res.write(`event: health\ndata: ${JSON.stringify(health)}\n\n`));
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const onStop = () => {
      res.write(`retry: 1000\nevent: reconnect\ndata: ${JSON.stringify({ reason: 'the web server is stopping' })}\n\n`);
      res.end();
    };
    stopping.addEventListener('abort', onStop, { once: true });
    res.on('close', () => {
      unlisten();
      unwatch();
      clearInterval(keepAlive);
      stopping.removeEventListener('abort', onStop);
    });
  });

  app.use(createProxy(urls));
  app.use('/api', (req, res) => void res.status(404).json({ error: 'not_found', message: `no such API: ${req.originalUrl}` }));

  if (existsSync(path.join(staticDir, 'index.html'))) {
    app.use(express.static(staticDir, { index: false, maxAge: '1h', setHeaders: (res, file) => file.endsWith('.html') && res.setHeader('Cache-Control', 'no-cache') }));
    app.get(/.*/, (_req, res) => res.sendFile(path.join(staticDir, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } }));
  } else {
    logger.warn('the browser app is not built: run `npx nx run web:build`', { staticDir });
    app.get(/.*/, (_req, res) => void res.status(503).type('text').send(`The web app is not built yet: run npx nx run web:build (looked in ${staticDir}).`));
  }
  return app;
}

function lastEventId(req: Request): number | null {
  const raw = req.header('last-event-id') ?? (typeof req.query['lastEventId'] === 'string' ? req.query['lastEventId'] : undefined);
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 0 ? n : null;
}
