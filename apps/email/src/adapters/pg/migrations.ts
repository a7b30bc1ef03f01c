import type { Migration } from '@webshop/postgres';

export const migrations: Migration[] = [
  {
    id: '001_email',
    sql: `
      -- Email's own copy of each order's PurchaseRequested: who to write to and what they ordered
      -- (a projection of the log).
      CREATE TABLE order_contacts (
        order_id     uuid PRIMARY KEY,
        customer_id  text        NOT NULL,
        email        text        NOT NULL,
        name         text        NOT NULL,
        items        jsonb       NOT NULL,
        total_cents  bigint      NOT NULL CHECK (total_cents >= 0),
        requested_at timestamptz NOT NULL
      );

      -- Every email, from the moment an event calls for it (PENDING) until the mail server took it
      -- (SENT). One per order and template; the event that called for it is kept so EmailSent can
      -- name its cause. next_attempt_at pushes back an email the mail server keeps refusing, so it
      -- does not hold up the others.
      CREATE TABLE emails (
        email_id        uuid PRIMARY KEY,
        order_id        uuid        NOT NULL,
        template        text        NOT NULL CHECK (template IN ('ORDER_CONFIRMED', 'ORDER_REJECTED', 'ORDER_SHIPPED', 'ORDER_CANCELLED')),
        to_address      text        NOT NULL,
        subject         text        NOT NULL,
        body            text        NOT NULL,
        status          text        NOT NULL CHECK (status IN ('PENDING', 'SENT')),
        created_at      timestamptz NOT NULL,
        sent_at         timestamptz,
        attempts        int         NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error      text,
        next_attempt_at timestamptz NOT NULL,
        cause_event_id  uuid        NOT NULL,
        cause_traceparent text,
        UNIQUE (order_id, template),
        CHECK ((status = 'SENT') = (sent_at IS NOT NULL))
      );
      CREATE INDEX emails_pending ON emails (created_at, email_id) WHERE status = 'PENDING';
      CREATE INDEX emails_sent ON emails (sent_at DESC, email_id DESC) WHERE status = 'SENT';
      CREATE INDEX emails_sent_to ON emails (lower(to_address), sent_at DESC) WHERE status = 'SENT';

      -- Events that call for an email about an order not seen requested yet: ShipmentDispatched
      -- travels on the shipments topic, which may be read ahead of the orders topic. They wait here
      -- for the order's PurchaseRequested rather than hold up the consumer (see kafka/handlers.ts).
      CREATE TABLE deferred_triggers (
        event_id    uuid PRIMARY KEY,
        order_id    uuid        NOT NULL,
        type        text        NOT NULL,
        data        jsonb       NOT NULL,
        traceparent text,
        deferred_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX deferred_triggers_by_order ON deferred_triggers (order_id, deferred_at);
    `,
  },
  {
    id: '002_email_pending_by_order',
    sql: `
      -- The order in which emails were planned (two in one millisecond included): the sender's
      -- workers send an order's emails in that order (email-store.ts, lockNextDueEmail).
      ALTER TABLE emails ADD COLUMN planned_seq bigserial;
      CREATE INDEX emails_pending_by_order ON emails (order_id, planned_seq) WHERE status = 'PENDING';
    `,
  },
  {
    id: '003_email_claims',
    sql: `
      -- A sender claims an email, in a transaction of its own that commits before any SMTP, for a
      -- lease (claimed_until, the database's clock), and sends it with no transaction open. Other
      -- workers and instances pass over a claimed email until the claim is released (a refused
      -- attempt), the email is SENT, or the lease ran out (its sender died). See email-store.ts,
      -- claimNextDueEmail, and the README, "How an email goes out".
      ALTER TABLE emails ADD COLUMN claim_token uuid, ADD COLUMN claimed_until timestamptz;
      ALTER TABLE emails ADD CHECK ((claim_token IS NULL) = (claimed_until IS NULL));
    `,
  },
];

/** The tables that are projections of the log: a replay into empty ones must give them back. */
export const projectionTables = ['order_contacts'] as const;
