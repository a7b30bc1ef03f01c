/**
 * `Idempotency-Key` on `POST /orders`: the same key with the same body answers the first order and
 * publishes nothing new; with a different body it is 409 idempotency_key_reused. "The same body"
 * is a SHA-256 of the parsed body in a canonical form, so key order and spacing do not count.
 */
import { createHash } from 'node:crypto';
import type { PoolClient } from '@webshop/postgres';
import { HttpError } from '@webshop/service-kit';
import { claimIdempotencyKey, findIdempotencyKey } from '../pg/idempotency-keys';

/** A stable hash of the request, so "the same body" does not depend on key order or spacing. */
function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
        : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

/**
 * Claims `key` for `request`, which would create order `orderId`, in the caller's transaction (a
 * rollback releases it). Answers the id of the order a first request with the same body created,
 * or null when this request is the first.
 */
export async function orderOfEarlierRequest(tx: PoolClient, key: string, request: unknown, orderId: string): Promise<string | null> {
  const hash = requestHash(request);
  if (await claimIdempotencyKey(tx, key, hash, orderId)) return null;
  const first = (await findIdempotencyKey(tx, key))!;
  if (first.requestHash !== hash) throw new HttpError(409, 'idempotency_key_reused', 'this Idempotency-Key was used with a different request');
  return first.orderId;
}
