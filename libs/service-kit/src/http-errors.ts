import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';

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
  res.status(404).json({ error: 'not_found', message: `no route ${req.method} ${req.path}` } satisfies ErrorBody);
};

/** Maps errors to the JSON error body. Unknown errors are 500 and logged; body-parser's are 400/413. */
export function errorHandler(onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    if (error instanceof HttpError) {
      res.status(error.status).json(error.toBody());
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
    onUnexpected(error);
    res.status(500).json({ error: 'internal', message: 'an unexpected error occurred' } satisfies ErrorBody);
  };
}
