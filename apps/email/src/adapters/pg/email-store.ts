/**
 * SQL for email's copy of the orders and its emails, and the stores its decisions load and save
 * through (@webshop/runtime decideAndRecord). Nothing here decides anything.
 */
import type { EmailTemplate, PurchaseLine } from '@webshop/events';
import type { Pool, PoolClient } from '@webshop/postgres';
import type { DecisionStore } from '@webshop/runtime';
import type { Email, EmailEvent, Emails } from '../../domain/email';
import type { EmailTrigger, OrderContact } from '../../domain/templates';

type Queryable = Pool | PoolClient;

/** Committing a new PENDING email wakes the sender on every instance (LISTEN/NOTIFY). */
export const EMAIL_PENDING_CHANNEL = 'email_pending';

/** The event that called for an email: EmailSent names it as its cause and continues its trace. */
export interface EmailCause {
  eventId: string;
  traceparent: string | null;
}

interface EmailRow {
  email_id: string;
  order_id: string;
  template: EmailTemplate;
  to_address: string;
  subject: string;
  body: string;
  status: Email['status'];
  created_at: Date;
  sent_at: Date | null;
  attempts: number;
  last_error: string | null;
  cause_event_id: string;
  cause_traceparent: string | null;
}

function toEmail(row: EmailRow): Email {
  const base = {
    emailId: row.email_id,
    orderId: row.order_id,
    template: row.template,
    to: row.to_address,
    subject: row.subject,
    body: row.body,
    createdAt: row.created_at.toISOString(),
    attempts: row.attempts,
  };
  // The CHECK constraint guarantees sent_at exactly when SENT.
  return row.status === 'SENT' ? { ...base, status: 'SENT', sentAt: row.sent_at!.toISOString() } : { ...base, status: 'PENDING', lastError: row.last_error };
}

/**
 * Serialises, for this transaction, everything done about one order's emails across topics and
 * instances: a PurchaseRequested and an early ShipmentDispatched of the same order, read by two
 * consumers at once, must not both miss each other.
 */
export async function lockOrder(tx: PoolClient, orderId: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('email:' || $1))`, [orderId]);
}

/** Stores an order's contact; the first one stored wins (projections/order-contacts.ts). */
export async function rememberContact(tx: PoolClient, contact: OrderContact): Promise<void> {
  await tx.query(
    `INSERT INTO order_contacts (order_id, customer_id, email, name, items, total_cents, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING`,
    [contact.orderId, contact.customerId, contact.email, contact.name, JSON.stringify(contact.items), contact.totalCents, contact.requestedAt],
  );
}

export async function loadContact(db: Queryable, orderId: string): Promise<OrderContact | null> {
  const { rows } = await db.query<{
    order_id: string;
    customer_id: string;
    email: string;
    name: string;
    items: PurchaseLine[];
    total_cents: number;
    requested_at: Date;
  }>('SELECT * FROM order_contacts WHERE order_id = $1', [orderId]);
  const row = rows[0];
  if (!row) return null;
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    email: row.email,
    name: row.name,
    items: row.items,
    totalCents: row.total_cents,
    requestedAt: row.requested_at.toISOString(),
  };
}

/** Keeps an event that calls for an email about an order not seen requested yet. */
export async function deferTrigger(tx: PoolClient, trigger: EmailTrigger, cause: EmailCause): Promise<void> {
  await tx.query(
    `INSERT INTO deferred_triggers (event_id, order_id, type, data, traceparent) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (event_id) DO NOTHING`,
    [cause.eventId, trigger.data.orderId, trigger.type, JSON.stringify(trigger.data), cause.traceparent],
  );
}

/** Removes and answers the events that waited for this order, in the order they came. */
export async function takeDeferredTriggers(tx: PoolClient, orderId: string): Promise<Array<{ trigger: EmailTrigger; cause: EmailCause }>> {
  const { rows } = await tx.query<{ event_id: string; type: EmailTrigger['type']; data: EmailTrigger['data']; traceparent: string | null }>(
    `WITH taken AS (DELETE FROM deferred_triggers WHERE order_id = $1 RETURNING *)
     SELECT event_id, type, data, traceparent FROM taken ORDER BY deferred_at, event_id`,
    [orderId],
  );
  return rows.map((r) => ({ trigger: { type: r.type, data: r.data } as EmailTrigger, cause: { eventId: r.event_id, traceparent: r.traceparent } }));
}

/** The order's emails, in the order they were planned. */
export async function loadOrderEmails(db: Queryable, orderId: string): Promise<Email[]> {
  const { rows } = await db.query<EmailRow>('SELECT * FROM emails WHERE order_id = $1 ORDER BY planned_seq', [orderId]);
  return rows.map(toEmail);
}

/**
 * Stores a new PENDING email and wakes the sender when the transaction commits. False when the order
 * has an email of that template already (UNIQUE (order_id, template) backs the domain's rule).
 */
export async function insertEmail(tx: PoolClient, email: Email, cause: EmailCause): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO emails (email_id, order_id, template, to_address, subject, body, status, created_at, attempts, next_attempt_at, cause_event_id, cause_traceparent)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10, $11) ON CONFLICT (order_id, template) DO NOTHING`,
    [email.emailId, email.orderId, email.template, email.to, email.subject, email.body, email.status, email.createdAt, email.attempts, cause.eventId, cause.traceparent],
  );
  if (rowCount !== 1) return false;
  await tx.query('SELECT pg_notify($1, $2)', [EMAIL_PENDING_CHANNEL, email.emailId]);
  return true;
}

/** What a claim is: who holds it (a token of the attempt) and for how long (the lease, in ms). */
export interface Claim {
  token: string;
  leaseMs: number;
}

/**
 * Claims the oldest PENDING email that is due, in one statement that commits on its own (no
 * transaction stays open, no connection is held while the email is sent). Passed over: emails
 * another sender holds (a claim whose lease has not run out, or a row being claimed right now,
 * SKIP LOCKED), those in `skip` (this instance's own emails whose SENT mark is still to land), and
 * those with an earlier email of their order still PENDING, claimed or not: one order's emails go
 * out in the order they were planned. The lease runs on the database's clock, the one every
 * instance compares it with.
 */
export async function claimNextDueEmail(
  db: Queryable,
  now: string,
  claim: Claim,
  skip: readonly string[] = [],
): Promise<{ email: Email; cause: EmailCause } | null> {
  const { rows } = await db.query<EmailRow>(
    `UPDATE emails SET claim_token = $2, claimed_until = clock_timestamp() + $3 * interval '1 millisecond'
     WHERE email_id = (
       SELECT email_id FROM emails e
       WHERE status = 'PENDING' AND next_attempt_at <= $1
         AND (claimed_until IS NULL OR claimed_until <= clock_timestamp())
         AND NOT (email_id = ANY($4::uuid[]))
         AND NOT EXISTS (
           SELECT 1 FROM emails earlier
           WHERE earlier.order_id = e.order_id AND earlier.status = 'PENDING'
             AND earlier.planned_seq < e.planned_seq
         )
       ORDER BY created_at, email_id LIMIT 1 FOR UPDATE SKIP LOCKED
     )
     RETURNING *`,
    [now, claim.token, claim.leaseMs, skip],
  );
  const row = rows[0];
  return row ? { email: toEmail(row), cause: { eventId: row.cause_event_id, traceparent: row.cause_traceparent } } : null;
}

/** Pushes the lease of a claim still held further out; false when it is not held any more. */
export async function renewClaim(db: Queryable, emailId: string, claim: Claim): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE emails SET claimed_until = clock_timestamp() + $3 * interval '1 millisecond'
     WHERE email_id = $1 AND claim_token = $2 AND status = 'PENDING'`,
    [emailId, claim.token, claim.leaseMs],
  );
  return rowCount === 1;
}

/**
 * When the next PENDING email falls due, if any: its next attempt, or the end of its claim's lease
 * when that is later. Only the first PENDING email of each order counts: the others wait for it.
 */
export async function nextDueAt(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT min(greatest(next_attempt_at, claimed_until)) AS at FROM emails e
     WHERE status = 'PENDING'
       AND NOT EXISTS (
         SELECT 1 FROM emails earlier
         WHERE earlier.order_id = e.order_id AND earlier.status = 'PENDING' AND earlier.planned_seq < e.planned_seq
       )`,
  );
  return rows[0]?.at ?? null;
}

/**
 * Marks the email SENT (and drops its claim); false when it was SENT already. Not conditioned on
 * the claim: the mail server took the email, which stays true whoever holds the claim by now, and a
 * SENT email is never sent again.
 */
export async function markSent(tx: PoolClient, email: Email & { status: 'SENT' }): Promise<boolean> {
  const { rowCount } = await tx.query(
    `UPDATE emails SET status = 'SENT', sent_at = $2, attempts = $3, last_error = NULL, claim_token = NULL, claimed_until = NULL
     WHERE email_id = $1 AND status = 'PENDING'`,
    [email.emailId, email.sentAt, email.attempts],
  );
  return rowCount === 1;
}

/** A refused or failed attempt under `token`: recorded on the email, which is pushed back and released. */
export async function recordFailedAttempt(db: Queryable, emailId: string, token: string, error: string, retryAt: string): Promise<void> {
  await db.query(
    `UPDATE emails SET attempts = attempts + 1, last_error = $3, next_attempt_at = $4, claim_token = NULL, claimed_until = NULL
     WHERE email_id = $1 AND claim_token = $2 AND status = 'PENDING'`,
    [emailId, token, error.slice(0, 2_000), retryAt],
  );
}

export interface SentEmail {
  emailId: string;
  orderId: string;
  to: string;
  template: EmailTemplate;
  subject: string;
  sentAt: string;
}

/** SENT emails, newest first; `to` matches regardless of case. */
export async function listSentEmails(db: Queryable, query: { orderId?: string; to?: string; limit: number }): Promise<SentEmail[]> {
  const where = [`status = 'SENT'`];
  const params: unknown[] = [];
  if (query.orderId) where.push(`order_id = $${params.push(query.orderId)}`);
  if (query.to) where.push(`lower(to_address) = lower($${params.push(query.to)})`);
  const { rows } = await db.query<EmailRow>(
    `SELECT * FROM emails WHERE ${where.join(' AND ')} ORDER BY sent_at DESC, email_id DESC LIMIT $${params.push(query.limit)}`,
    params,
  );
  return rows.map((r) => ({ emailId: r.email_id, orderId: r.order_id, to: r.to_address, template: r.template, subject: r.subject, sentAt: r.sent_at!.toISOString() }));
}

type EmailStore = DecisionStore<Emails, EmailEvent>;

/** Stores what the events did: a planned email is inserted (caused by `cause`), a sent one marked SENT. */
const saveEmails =
  (cause?: EmailCause): EmailStore['save'] =>
  async (tx, after, { events }) => {
    for (const event of events) {
      const email = after.find((e) => e.emailId === event.data.emailId);
      if (!email) continue;
      if (event.type === 'EmailPlanned' && email.status === 'PENDING') {
        if (!cause) throw new Error(`email ${email.emailId} was planned without the event that called for it`);
        // Under the order's lock nothing else plans one of its emails: the insert always goes in.
        await insertEmail(tx, email, cause);
      }
      if (event.type === 'EmailSent' && email.status === 'SENT') await markSent(tx, email);
    }
  };

/** The order's emails, with the order locked (lockOrder); `cause` is the event an email planned now answers. */
export const orderEmails = (orderId: string, cause: EmailCause): EmailStore => ({
  async load(tx) {
    await lockOrder(tx, orderId);
    return loadOrderEmails(tx, orderId);
  },
  save: saveEmails(cause),
});

/** The one email being sent, its row locked: an instance marking it SENT meanwhile waits, or is seen. */
export const emailBeingSent = (emailId: string): EmailStore => ({
  async load(tx) {
    const { rows } = await tx.query<EmailRow>('SELECT * FROM emails WHERE email_id = $1 FOR UPDATE', [emailId]);
    return rows.map(toEmail);
  },
  save: saveEmails(),
});

/** The emails not sent yet, and those among them whose last attempt failed (for the metrics). Uses the partial index of PENDING rows. */
export async function pendingEmailCounts(db: Queryable): Promise<{ pending: number; failing: number }> {
  const { rows } = await db.query<{ pending: number; failing: number }>(
    `SELECT count(*)::int AS pending, count(*) FILTER (WHERE attempts > 0)::int AS failing FROM emails WHERE status = 'PENDING'`,
  );
  return rows[0] ?? { pending: 0, failing: 0 };
}
