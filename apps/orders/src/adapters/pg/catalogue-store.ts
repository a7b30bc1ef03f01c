/** SQL for orders' copy of the catalogue, from the products topic: what it prices orders with. */
import type { EventData } from '@webshop/events';
import type { PoolClient } from '@webshop/postgres';
import type { PriceList } from '../../domain/decide';
import type { Queryable } from './order-store';

export async function upsertCatalogue(tx: PoolClient, product: EventData<'ProductUpdated'>): Promise<void> {
  // Last writer wins by the product's own clock, so a replay or a late duplicate cannot roll it back.
  await tx.query(
    `INSERT INTO catalogue (sku, name, price_cents, available, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (sku) DO UPDATE SET name = $2, price_cents = $3, available = $4, updated_at = $5
     WHERE catalogue.updated_at <= $5`,
    [product.sku, product.name, product.priceCents, product.available, product.updatedAt],
  );
}

export async function pricesOf(db: Queryable, skus: string[]): Promise<PriceList> {
  const { rows } = await db.query<{ sku: string; price_cents: number }>('SELECT sku, price_cents FROM catalogue WHERE sku = ANY($1)', [skus]);
  return new Map(rows.map((r) => [r.sku, { priceCents: r.price_cents }]));
}
