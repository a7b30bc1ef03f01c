import { DomainError } from '@webshop/domain';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import { isDependencyUnavailable } from './startup';
import { unstorablePathSegment } from './unstorable';

/** The error body of every service: `{ error, message, details? }`. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: Array<{ path: string; message: string }>;
}

/** An error the client caused, with the status and code the API contract names. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorBody['details'],
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Validates a request part with a zod schema: the parsed value, or a 400 validation_failed. */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new HttpError(
    400,
    'validation_failed',
    `the ${what} is not valid`,
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}

export const notFoundHandler: RequestHandler = (req, res) => {
  // A path no route took that holds a string Postgres cannot store is malformed, not merely unknown.
  const unstorable = unstorablePathSegment(req.path);
  if (unstorable) {
    res.status(400).json({
      error: 'validation_failed',
      message: 'the request path is not valid',
      details: [{ path: 'params', message: `the path segment ${JSON.stringify(unstorable.segment)} ${unstorable.reason}` }],
    } satisfies ErrorBody);
    return;
  }
  res.status(404).json({ error: 'not_found', message: `no route ${req.method} ${req.path}` } satisfies ErrorBody);
};

/** Where the request went wrong for each error express and body-parser raise about a request. */
const clientErrorPath: Record<string, string> = {
  'charset.unsupported': 'header.content-type',
  'encoding.unsupported': 'header.content-encoding',
  'request.size.invalid': 'header.content-length',
};

/**
 * Maps errors to the JSON error body: a domain's refusal with the status and code it carries, the
 * same way for every service; express's and body-parser's errors 400 (413 for a body over the
 * limit); an away dependency 503; anything else 500, logged.
 */
export function errorHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    if (error instanceof HttpError) {
      res.status(error.status).json(error.toBody());
      return;
    }
    if (error instanceof DomainError) {
      const details = error.details.length > 0 ? { details: [...error.details] } : {};
      res.status(error.status).json({ error: error.code, message: error.message, ...details } satisfies ErrorBody);
      return;
    }
    const type = (error as { type?: string }).type;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: 'validation_failed', message: 'the request body is not valid JSON' } satisfies ErrorBody);
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: 'payload_too_large', message: 'the request body is larger than allowed' } satisfies ErrorBody);
      return;
    }
    // Any other request express or body-parser could not read (a path parameter that is not valid
    // percent-encoding, an unsupported charset or content encoding, a body that is not valid gzip,
    // a body shorter than its Content-Length): the client's fault, so 400 validation_failed, never 500.
    const status = (error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = error instanceof Error && error.message ? error.message : 'the request could not be read';
      const path = (type && clientErrorPath[type]) ?? (error instanceof URIError ? 'params' : undefined);
      res.status(400).json({
        error: 'validation_failed',
        message: 'the request is not valid',
        details: [{ path: path ?? '(request)', message }],
      } satisfies ErrorBody);
      return;
    }
    // The database (or broker) is away: the request may pass later. Say so, and when to try again.
    if (isDependencyUnavailable(error)) {
      res.status(503).set('Retry-After', '1').json({ error: 'unavailable', message: 'a service this request needs is unavailable; try again shortly' } satisfies ErrorBody);
      return;
    }
    onUnexpected(error);
    res.status(500).json({ error: 'internal', message: 'an unexpected error occurred' } satisfies ErrorBody);
  };
}
