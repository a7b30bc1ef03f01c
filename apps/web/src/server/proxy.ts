/**
 * `/api/<service>/<path>` → `<SERVICE_URL>/<path>`: the browser talks to one origin. Bodies and
 * answers are streamed through untouched (a Server-Sent Events stream too: nothing is buffered),
 * and the headers that matter for the contract go both ways (content type, Authorization, Idempotency-Key,
 * Last-Event-ID, Location, Retry-After, X-Wait-Timed-Out). A service that does not answer becomes
 * 502 `service_unavailable` naming it, in the services' own error shape, so the page can say which.
 * A browser that goes away ends the request upstream (a live stream is not left open).
 */
import http from 'node:http';
import type { RequestHandler } from 'express';
import { serviceNames, type ServiceName } from '@webshop/events';

// `authorization`: the operator's token, typed into the admin panel, passed on untouched (never logged, never held here).
const forwardedRequestHeaders = ['content-type', 'content-length', 'accept', 'idempotency-key', 'last-event-id', 'cache-control', 'authorization'];
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

const isService = (name: string): name is ServiceName => (serviceNames as readonly string[]).includes(name);

export function createProxy(urls: Record<ServiceName, string>): RequestHandler {
  return (req, res, next) => {
    const match = /^\/api\/([a-z]+)(\/.*)?$/.exec(req.originalUrl.split('?')[0]!);
    if (!match) return next();
    const service = match[1]!;
    if (!isService(service)) return next();
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const target = new URL((match[2] ?? '/') + query, urls[service]);
    const headers: http.OutgoingHttpHeaders = {};
    for (const name of forwardedRequestHeaders) if (req.headers[name] !== undefined) headers[name] = req.headers[name];

    const upstream = http.request(target, { method: req.method, headers }, (answer) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers)) if (!hopByHop.has(name) && value !== undefined) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, out);
      res.flushHeaders();
      answer.pipe(res);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (res.headersSent) return res.destroy(); // the stream broke half-way: the browser sees it end and resumes
      res.status(502).json({
        error: 'service_unavailable',
        message: `The ${service} service is not answering (${error.code ?? error.message}); try again once it is back.`,
        service,
      });
    });
    // The browser left (closed the tab, navigated away, a stream's reader cancelled): stop upstream too.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };
}
