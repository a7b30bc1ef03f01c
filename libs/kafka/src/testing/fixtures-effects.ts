import type { EventData } from '@webshop/events';
import type { PoolClient } from '@webshop/postgres';

/** The test handler's effect: one row, deliberately without a unique key, so duplicates would show. */
export async function recordEffect(tx: PoolClient, eventId: string, data: EventData<'ProductUpdated'>): Promise<void> {
  await tx.query('INSERT INTO applied (event_id, sku, seq) VALUES ($1, $2, $3)', [eventId, data.sku, data.available]);
}
