/**
 * The HTTP access log (pino-http): one line per answered request, on the service's log, e.g.
 * `{"level":"info",…,"service":"orders","requestId":"…","traceId":"…","method":"POST","url":"/orders","status":201,"responseTimeMs":12,"msg":"POST /orders 201"}`.
 *
 * The request id is the caller's `X-Request-Id` when it is a plain token (a proxy's, a test's),
 * otherwise a new UUID; either way it is answered in `X-Request-Id`. No header is logged (the
 * Authorization header least of all; the logger's redaction stays as the second line).
 * Health and metrics probes, polled every few hundred milliseconds, are logged at debug; a 5xx at
 * warn (its cause, when unexpected, is logged at error by the error handler).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { traceIdOfSpan } from '@webshop/tracing';
import { pinoHttp } from 'pino-http';
import { isProbe, requestSpanOf } from './http-tracing';
import { pinoOf, type Logger } from './logger';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Letters, digits and `._:-`, at most 128: nothing that could break a log line or a header. */
const plainToken = /^[\w.:-]{1,128}$/;

/** The caller's request id when it is a plain token, else a new one. */
export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && plainToken.test(given) ? given : randomUUID();
}

/** The trace id of the request's span (http-tracing.ts), the caller's when it sent a traceparent. */
function traceIdField(res: ServerResponse): { traceId?: string } {
  const traceId = traceIdOfSpan(requestSpanOf(res as Response));
  return traceId ? { traceId } : {};
}

export function accessLog(logger: Logger): RequestHandler {
  const line = (req: IncomingMessage, res: ServerResponse, responseTimeMs: number) => ({
    ...traceIdField(res),
    method: req.method,
    url: (req as { originalUrl?: string }).originalUrl ?? req.url,
    status: res.statusCode,
    responseTimeMs,
  });
  const message = (req: IncomingMessage, res: ServerResponse) => `${req.method} ${(req as { originalUrl?: string }).originalUrl ?? req.url} ${res.statusCode}`;
  return pinoHttp({
    logger: pinoOf(logger),
    genReqId: (req, res) => {
      const id = requestIdOf(req.headers['x-request-id']);
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customAttributeKeys: { reqId: 'requestId' },
    // The line carries the request id and what is below; no req/res objects, so no headers.
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (req, res) => (isProbe(req.url?.split('?')[0] ?? '') ? 'debug' : res.statusCode >= 500 ? 'warn' : 'info'),
    customSuccessObject: (req, res, { responseTime }: { responseTime: number }) => line(req, res, responseTime),
    customErrorObject: (req, res, _error, { responseTime }: { responseTime: number }) => line(req, res, responseTime),
    customSuccessMessage: message,
    customErrorMessage: message,
  }) as unknown as RequestHandler;
}
