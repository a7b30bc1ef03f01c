/**
 * Operator access: the routes only an operator may use (deposits, restocks, product changes,
 * dispatch and deliver) take `Authorization: Bearer <token>`, the token one of ADMIN_TOKENS
 * (comma-separated, so a token can be rotated: add the new one, move the callers, drop the old).
 *
 * - no `Authorization: Bearer …` header: 401 `unauthorized`, `WWW-Authenticate: Bearer`;
 * - a bearer token that is not one of them: 403 `forbidden`;
 * either way before the route reads anything, so nothing changes.
 *
 * The comparison is constant-time and leaks neither a token nor its length: the SHA-256 of the
 * token presented is compared with the SHA-256 of every accepted one (equal lengths, as
 * timingSafeEqual needs), all of them, whichever matched. The tokens are never logged (the
 * logger redacts `authorization` and `ADMIN_TOKENS`) and never put in an error message.
 *
 * A service that has operator routes refuses to start without a token (a ConfigError) unless
 * ADMIN_AUTH=off asks for the local demo mode, in which every operator route is open and the service
 * says so in its log. A service without operator routes needs no token (it is not given the secret);
 * should one of its routes ask for an operator anyway, it is refused 403: closed, never open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ConfigError } from './config';
import { HttpError } from './http-errors';

export interface OperatorAccessConfig {
  /** The accepted operator tokens. */
  ADMIN_TOKENS?: string[];
  /** `off`: no token asked for (a local demo only). Default `on`. */
  ADMIN_AUTH?: 'on' | 'off';
}

export interface OperatorAccess {
  /** The middleware an operator route puts before its handler. */
  operatorOnly: RequestHandler;
  /** false in the demo mode: every operator route is open. */
  required: boolean;
}

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** `Authorization: Bearer <token>` (RFC 6750: the scheme in any case); undefined when absent or another scheme. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([^ ]+) *$/i.exec(header ?? '');
  return match?.[1];
}

export function operatorAccess({ ADMIN_TOKENS = [], ADMIN_AUTH = 'on' }: OperatorAccessConfig, { hasOperatorRoutes = true } = {}): OperatorAccess {
  if (ADMIN_AUTH === 'off') return { required: false, operatorOnly: (_req, _res, next) => next() };
  if (ADMIN_TOKENS.length === 0 && !hasOperatorRoutes) {
    return { required: true, operatorOnly: (_req, _res, next) => next(new HttpError(403, 'forbidden', 'this service accepts no operator token')) };
  }
  if (ADMIN_TOKENS.length === 0) {
    throw new ConfigError(
      'invalid configuration:\n  ADMIN_TOKENS: is required: the operator endpoints\' Bearer tokens, comma-separated ' +
        '(or ADMIN_AUTH=off for a local demo with the operator endpoints open to anyone)',
    );
  }
  const accepted = ADMIN_TOKENS.map(sha256);
  const operatorOnly: RequestHandler = (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      res.set('WWW-Authenticate', 'Bearer realm="operator"');
      return next(new HttpError(401, 'unauthorized', 'this operation is for operators: send Authorization: Bearer <token>'));
    }
    const presented = sha256(token);
    let matched = false;
    for (const hash of accepted) matched = timingSafeEqual(presented, hash) || matched;
    if (!matched) {
      res.set('WWW-Authenticate', 'Bearer realm="operator", error="invalid_token"');
      return next(new HttpError(403, 'forbidden', 'the operator token is not accepted'));
    }
    next();
  };
  return { required: true, operatorOnly };
}
