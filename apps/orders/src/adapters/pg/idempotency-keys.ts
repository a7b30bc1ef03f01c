/** SQL for Idempotency-Key → the order it created and a hash of the request that created it. */
import type { PoolClient } from '@webshop/postgres';

export async function findIdempotencyKey(tx: PoolClient, key: string): Promise<{ requestHash: string; orderId: string } | null> {
  const { rows } = await tx.query<{ request_hash: string; order_id: string }>(
    'SELECT request_hash, order_id FROM idempotency_keys WHERE key = $1',
    [key],
  );
  return rows[0] ? { requestHash: rows[0].request_hash, orderId: rows[0].order_id } : null;
}

/** Claims the key for this request; false when another request holds it already. */
export async function claimIdempotencyKey(tx: PoolClient, key: string, requestHash: string, orderId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    'INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
    [key, requestHash, orderId],
  );
  return rowCount === 1;
}
