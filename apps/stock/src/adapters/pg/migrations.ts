import type { Migration } from '@webshop/postgres';

export const migrations: Migration[] = [
  {
    id: '001_stock',
    sql: `
      -- The catalogue and its stock levels. The CHECKs are the last line of defence: whatever the
      -- code does, also under concurrent orders for the same sku, no level goes below zero.
      CREATE TABLE products (
        sku         text PRIMARY KEY,
        name        text        NOT NULL,
        price_cents bigint      NOT NULL CHECK (price_cents >= 0),
        available   int         NOT NULL CHECK (available >= 0),
        reserved    int         NOT NULL CHECK (reserved >= 0),
        updated_at  timestamptz NOT NULL
      );

      -- What stock holds (or held, or could not hold) for each order it heard of.
      CREATE TABLE reservations (
        order_id   uuid PRIMARY KEY,
        items      jsonb       NOT NULL,
        status     text        NOT NULL CHECK (status IN ('RESERVED', 'COMMITTED', 'RELEASED', 'UNAVAILABLE')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX reservations_held ON reservations (status) WHERE status IN ('RESERVED', 'COMMITTED');
    `,
  },
];
