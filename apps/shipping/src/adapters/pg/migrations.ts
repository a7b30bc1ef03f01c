import type { Migration } from '@webshop/postgres';

export const migrations: Migration[] = [
  {
    id: '001_shipping',
    sql: `
      -- Shipping's own copy of where each order goes, from PurchaseRequested (a projection of the log).
      CREATE TABLE order_addresses (
        order_id     uuid PRIMARY KEY,
        customer_id  text        NOT NULL,
        address      jsonb       NOT NULL,
        requested_at timestamptz NOT NULL
      );

      -- One shipment per order (domain/shipment.ts). The address is copied in when it is scheduled.
      -- The checks keep every row a state the domain can be in: a tracking number and dispatch time
      -- exactly when the parcel has left, a delivery time exactly when it arrived.
      CREATE TABLE shipments (
        order_id        uuid PRIMARY KEY,
        shipment_id     uuid        NOT NULL UNIQUE,
        status          text        NOT NULL CHECK (status IN ('SCHEDULED', 'DISPATCHED', 'DELIVERED', 'CANCELLED')),
        address         jsonb       NOT NULL,
        tracking_number text,
        scheduled_at    timestamptz NOT NULL,
        dispatched_at   timestamptz,
        delivered_at    timestamptz,
        cancelled_at    timestamptz,
        CHECK ((status IN ('DISPATCHED', 'DELIVERED')) = (tracking_number IS NOT NULL AND dispatched_at IS NOT NULL)),
        CHECK ((status IN ('DISPATCHED', 'DELIVERED')) OR (tracking_number IS NULL AND dispatched_at IS NULL)),
        CHECK ((status = 'DELIVERED') = (delivered_at IS NOT NULL)),
        CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL))
      );
      -- What the auto-dispatcher looks for: the oldest shipments waiting for their next step.
      CREATE INDEX shipments_awaiting_dispatch ON shipments (scheduled_at) WHERE status = 'SCHEDULED';
      CREATE INDEX shipments_awaiting_delivery ON shipments (dispatched_at) WHERE status = 'DISPATCHED';
    `,
  },
  {
    // Where the shipment's trace goes on: the span that scheduled it (libs/tracing), the parent of
    // the auto-dispatcher's steps, so a shipment moved on by itself stays in its order's trace.
    id: '002_shipment_traceparent',
    sql: `ALTER TABLE shipments ADD COLUMN traceparent text;`,
  },
];

/** The tables that are projections of the log: a replay into empty ones must give them back. */
export const projectionTables = ['order_addresses'] as const;
