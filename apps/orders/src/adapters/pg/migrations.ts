import type { Migration } from '@webshop/postgres';

export const migrations: Migration[] = [
  {
    id: '001_orders',
    sql: `
      -- The order view: the fold of every event about the order (domain/order.ts).
      CREATE TABLE orders (
        order_id         uuid PRIMARY KEY,
        customer_id      text        NOT NULL,
        email            text        NOT NULL,
        items            jsonb       NOT NULL,
        total_cents      bigint      NOT NULL,
        shipping_address jsonb       NOT NULL,
        status           text        NOT NULL,
        rejection_reason text,
        payment          jsonb       NOT NULL,
        stock            jsonb       NOT NULL,
        created_at       timestamptz NOT NULL,
        updated_at       timestamptz NOT NULL
      );
      CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC, order_id DESC);
      CREATE INDEX orders_by_status ON orders (status, created_at DESC, order_id DESC);
      CREATE INDEX orders_by_created ON orders (created_at DESC, order_id DESC);

      -- Every event about an order, from every topic, where it sits in the log.
      CREATE TABLE timeline (
        seq         bigserial PRIMARY KEY,
        order_id    uuid        NOT NULL,
        event_id    uuid        NOT NULL UNIQUE,
        type        text        NOT NULL,
        topic       text        NOT NULL,
        partition   int         NOT NULL,
        "offset"    bigint      NOT NULL,
        occurred_at timestamptz NOT NULL,
        producer    text        NOT NULL,
        data        jsonb       NOT NULL
      );
      CREATE INDEX timeline_by_order ON timeline (order_id, seq);

      -- Orders' own copy of the catalogue, from the products topic: what it prices orders with.
      CREATE TABLE catalogue (
        sku         text PRIMARY KEY,
        name        text        NOT NULL,
        price_cents bigint      NOT NULL,
        available   int         NOT NULL,
        updated_at  timestamptz NOT NULL
      );

      -- Idempotency-Key → the order it created and a hash of the request that created it.
      CREATE TABLE idempotency_keys (
        key          text PRIMARY KEY,
        request_hash text        NOT NULL,
        order_id     uuid        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    id: '002_orders_cancellation',
    sql: `
      -- A confirmed order's cancellation request, and shipping's answer (domain/order.ts).
      ALTER TABLE orders ADD COLUMN cancellation jsonb, ADD COLUMN shipment_cancelled boolean NOT NULL DEFAULT false;
    `,
  },
  {
    id: '003_timeline_position',
    sql: `
      -- Each entry's place in its order's timeline, 1, 2, 3 … in the order the entries were committed
      -- (they are appended under the order's lock): the id of the live stream's events, so a resume
      -- after id N sends exactly what was committed after entry N. seq, from a sequence, is handed
      -- out at insert and can commit out of order across two transactions.
      ALTER TABLE timeline ADD COLUMN position int;
      UPDATE timeline t SET position = numbered.position
        FROM (SELECT seq, row_number() OVER (PARTITION BY order_id ORDER BY seq) AS position FROM timeline) numbered
        WHERE t.seq = numbered.seq;
      ALTER TABLE timeline ALTER COLUMN position SET NOT NULL;
      CREATE UNIQUE INDEX timeline_position ON timeline (order_id, position);
    `,
  },
];

/** The tables that are projections of the log: a replay into empty ones must give them back. */
export const projectionTables = ['orders', 'timeline', 'catalogue'] as const;
