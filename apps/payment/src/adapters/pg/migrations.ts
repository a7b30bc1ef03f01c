import type { Migration } from '@webshop/postgres';

export const migrations: Migration[] = [
  {
    id: '001_payment',
    sql: `
      -- A customer's money, in cents. The CHECK is the last line of defence: whatever the code does,
      -- the database refuses a negative balance.
      CREATE TABLE accounts (
        customer_id   text PRIMARY KEY,
        balance_cents bigint      NOT NULL CHECK (balance_cents >= 0),
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      );

      -- Every deposit, for the history of a balance.
      CREATE TABLE deposits (
        id           uuid PRIMARY KEY,
        customer_id  text        NOT NULL REFERENCES accounts (customer_id),
        amount_cents bigint      NOT NULL CHECK (amount_cents > 0),
        at           timestamptz NOT NULL
      );
      CREATE INDEX deposits_by_customer ON deposits (customer_id, at);

      -- One payment per order: charged (PROCESSED), declined, or charged and given back (REFUNDED).
      CREATE TABLE payments (
        order_id       uuid PRIMARY KEY,
        payment_id     uuid UNIQUE,
        customer_id    text        NOT NULL,
        amount_cents   bigint      NOT NULL CHECK (amount_cents >= 0),
        status         text        NOT NULL CHECK (status IN ('PROCESSED', 'DECLINED', 'REFUNDED')),
        decline_reason text CHECK (decline_reason IN ('INSUFFICIENT_FUNDS', 'NO_ACCOUNT')),
        processed_at   timestamptz,
        declined_at    timestamptz,
        refunded_at    timestamptz,
        -- Each status carries exactly what it means: money taken has a payment id, a decline a reason.
        CHECK ((status = 'DECLINED') = (decline_reason IS NOT NULL AND declined_at IS NOT NULL)),
        CHECK ((status = 'DECLINED') = (payment_id IS NULL AND processed_at IS NULL)),
        CHECK ((status = 'REFUNDED') = (refunded_at IS NOT NULL))
      );
      CREATE INDEX payments_by_customer ON payments (customer_id);
    `,
  },
];
