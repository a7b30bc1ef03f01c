/**
 * Strings Postgres cannot store, refused at the edge with 400 validation_failed naming the field.
 *
 * - A NUL character (U+0000): `text` refuses it ("invalid byte sequence for encoding UTF8: 0x00"),
 *   `jsonb` refuses `\u0000` ("unsupported Unicode escape sequence").
 * - An unpaired UTF-16 surrogate (`"\ud800"` is valid JSON, not valid Unicode): `jsonb` refuses it,
 *   `text` would silently store U+FFFD instead.
 *
 * One home for the rule: `unstorableReason` says what is wrong with a string, `storableString` is
 * the zod string every schema builds on, `refuseUnstorableInput` checks every header, query value
 * and JSON body string and key of every request, and `pathParam`/`parseParam` read a path
 * parameter (the routes know the parameter's name, so the answer names it).
 */
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import { HttpError, type ErrorBody } from './http-errors';
import { unstorableReason } from './unstorable';

export { unstorableReason, unstorablePathSegment } from './unstorable';

/** A zod string that refuses what Postgres cannot store; chain `.trim().min().max()` as usual. */
export const storableString = () =>
  z.string().superRefine((value, ctx) => {
    const reason = unstorableReason(value);
    if (reason) ctx.addIssue({ code: 'custom', message: reason, abort: true });
  });

type Detail = NonNullable<ErrorBody['details']>[number];

/** At most this many details in one answer: a hostile body can hold thousands of bad strings. */
const MAX_DETAILS = 20;

/** A key as it appears in a field path: visible even when it holds a NUL. */
const shown = (key: string) => (unstorableReason(key) ? JSON.stringify(key).slice(1, -1) : key);
const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

/** Every unstorable string and object key in `value`, without recursion (bodies may nest deeply). */
function findUnstorable(value: unknown, root: string, details: Detail[]): void {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0 && details.length < MAX_DETAILS) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unstorableReason(current);
      if (reason) details.push({ path: path || '(body)', message: reason });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push([current[i], join(path, i)]);
    } else if (current !== null && typeof current === 'object') {
      const keys = Object.keys(current);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        const reason = unstorableReason(key);
        if (reason) details.push({ path: join(path, shown(key)), message: `the key ${reason}` });
        stack.push([(current as Record<string, unknown>)[key], join(path, shown(key))]);
      }
    }
  }
}

/**
 * Refuses a request with a string Postgres cannot store in a header (`header.<name>`), the query
 * (`query.<name>`) or the JSON body (the field's path, e.g. `shippingAddress.name`, `items.0.sku`).
 * Path parameters are the routes' to check (`pathParam`), which can name them; `notFoundHandler`
 * refuses such a path no route took.
 */
export const refuseUnstorableInput: RequestHandler = (req, _res, next) => {
  const details: Detail[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      const reason = typeof one === 'string' ? unstorableReason(one) : undefined;
      if (reason) details.push({ path: `header.${name}`, message: reason });
    }
  }
  findUnstorable(req.query, 'query', details);
  findUnstorable(req.body, '', details);
  if (details.length === 0) return next();
  next(new HttpError(400, 'validation_failed', 'the request holds a string that cannot be stored', details.slice(0, MAX_DETAILS)));
};

/** The path parameter `name`: a 400 validation_failed naming it when Postgres could not store it. */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  const text = typeof value === 'string' ? value : undefined;
  const reason = text === undefined ? 'is missing' : unstorableReason(text);
  if (reason) throw new HttpError(400, 'validation_failed', `the ${name} in the path is not valid`, [{ path: name, message: reason }]);
  return text!;
}

/** The path parameter `name` checked by `schema`: its value, or a 400 validation_failed naming it. */
export function parseParam<S extends z.ZodType>(schema: S, req: Request, name: string): z.output<S> {
  const result = schema.safeParse(pathParam(req, name));
  if (result.success) return result.data;
  throw new HttpError(
    400,
    'validation_failed',
    `the ${name} in the path is not valid`,
    result.error.issues.map((issue) => ({ path: [name, ...issue.path].join('.'), message: issue.message })),
  );
}
