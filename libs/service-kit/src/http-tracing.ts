/**
 * A span for every request the app answers (OpenTelemetry HTTP `server`), the child of the
 * caller's span when the request carries a W3C `traceparent` (and the root of a new trace when it
 * does not). The route's work, the transaction it opens and the events it appends are its
 * children, so an order's trace begins at the POST that placed it. Named `<METHOD> <route>` once a
 * declared route took the request (http-routes.ts), `<METHOD>` when none did; status ERROR on a 5xx.
 * The probes (health, readiness, metrics), polled every few hundred milliseconds, are not traced.
 *
 * The request and the response are bound to the span's context, so the body parser's events and
 * whatever runs on them stay in the trace.
 */
import type { RequestHandler, Response } from 'express';
import { bindContext, contextOf, failed, SpanKind, startSpan, withContext, type Span } from '@webshop/tracing';

/** The health and metrics probes: neither traced nor logged above debug (access-log.ts). */
const probes = new Set(['/healthz', '/readyz', '/metrics']);
export const isProbe = (path: string): boolean => probes.has(path);

/** The request's span, for the route (its name) and the access log (its trace id). */
export const requestSpanOf = (res: Response): Span | undefined => (res.locals as { span?: Span }).span;

export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    if (isProbe(req.path)) return next();
    const incoming = req.headers['traceparent'];
    const { span, context } = startSpan(req.method, {
      kind: SpanKind.SERVER,
      parent: contextOf(typeof incoming === 'string' ? incoming : undefined),
      attributes: { 'http.request.method': req.method, 'url.path': req.path, 'url.scheme': req.protocol, 'network.protocol.version': req.httpVersion },
    });
    (res.locals as { span?: Span }).span = span;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) failed(span, new Error(`answered ${res.statusCode}`));
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    bindContext(context, req);
    bindContext(context, res);
    withContext(context, next);
  };
}

/** Names the request's span after the route that took it (`POST /orders/:orderId/cancel`). */
export function nameRequestSpan(res: Response, method: string, path: string): void {
  const span = requestSpanOf(res);
  if (!span) return;
  span.updateName(`${method.toUpperCase()} ${path}`);
  span.setAttribute('http.route', path);
}
