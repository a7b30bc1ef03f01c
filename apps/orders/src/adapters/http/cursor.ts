/**
 * The `GET /orders` page cursor. Wire format: base64url of the JSON array `[createdAt, orderId]` of
 * the page's last order, createdAt as `Date#toISOString` writes it: the keyset the next page starts
 * after. Opaque to clients; one this API did not give out is 400 validation_failed.
 */
import { HttpError } from '@webshop/service-kit';
import type { Order } from '../../domain/order';
import { uuid } from './schemas';

const isoTimestamp = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const encodeCursor = (order: Order) => Buffer.from(JSON.stringify([order.createdAt, order.orderId])).toString('base64url');

export function decodeCursor(cursor: string): { createdAt: string; orderId: string } {
  try {
    const [createdAt, orderId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    // Only a timestamp as encodeCursor writes it: Date.parse takes strings (and years) Postgres refuses.
    if (typeof createdAt !== 'string' || !isoTimestamp.test(createdAt) || new Date(createdAt).toISOString() !== createdAt) throw new Error('bad cursor');
    if (typeof orderId !== 'string' || !uuid.safeParse(orderId).success) throw new Error('bad cursor');
    return { createdAt, orderId };
  } catch {
    throw new HttpError(400, 'validation_failed', 'the cursor is not one this API gave out', [{ path: 'cursor', message: 'invalid cursor' }]);
  }
}
