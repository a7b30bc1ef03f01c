/**
 * Several senders on one database (several instances of the service) share the PENDING emails and
 * never send one twice; a sender stops after the email in hand; an email claimed by a sender that
 * died waits for the claim's lease, and so do the later emails of its order.
 */
import { randomUUID } from 'node:crypto';
import { messagingMigrations } from '@webshop/kafka';
import { migrate, withTransaction } from '@webshop/postgres';
import { createLogger } from '@webshop/service-kit';
import { createTestDatabase, startMailCatcher, waitFor, type MailCatcher, type TestDatabase } from '@webshop/testing';
import type { Email } from '../../domain/email';
import { migrations } from '../pg/migrations';
import { claimNextDueEmail, insertEmail } from '../pg/email-store';
import { startEmailSender, type EmailSender } from './email-sender';
import { createMailer } from './mailer';
import { pendingEmail } from '../../testing/pending-email';

const logger = createLogger({ service: 'email' }, 'silent');


describe('the email sender', () => {
  let db: TestDatabase;
  let mail: MailCatcher;
  const senders: EmailSender[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('emailsender');
    await migrate(db.pool, [...messagingMigrations, ...migrations]);
    mail = await startMailCatcher();
  });
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await mail?.stop();
    await db?.drop();
  });

  async function record(emails: Email[]): Promise<void> {
    await withTransaction(db.pool, async (tx) => {
      for (const email of emails) await insertEmail(tx, email, { eventId: randomUUID(), traceparent: null });
    });
  }

  it('sends every PENDING email exactly once when three instances run side by side', async () => {
    const emails = Array.from({ length: 30 }, (_, i) => pendingEmail(`crowd-${i}@example.com`));
    for (let i = 0; i < 3; i++) {
      senders.push(await startEmailSender({ pool: db.pool, mailer: createMailer(mail.url), from: 'Webshop <shop@example.com>', logger }));
    }
    await record(emails);

    const ids = emails.map((e) => e.emailId);
    await waitFor(
      async () => (await db.pool.query(`SELECT 1 FROM emails WHERE email_id = ANY($1) AND status = 'SENT'`, [ids])).rowCount === ids.length,
      { timeoutMs: 30_000, description: 'every email SENT' },
    );
    const messageIds = mail.messages.filter((m) => m.to.startsWith('crowd-')).map((m) => m.messageId);
    expect(messageIds.sort()).toEqual(ids.map((id) => `<${id}@webshop>`).sort());
    const { rows } = await db.pool.query(`SELECT 1 FROM outbox WHERE event_type = 'EmailSent' AND key = ANY($1)`, [emails.map((e) => e.orderId)]);
    expect(rows).toHaveLength(30);
  });

  it('finishes the email in hand when stopped: sent, marked SENT and reported', async () => {
    const email = pendingEmail(`${randomUUID()}@example.com`);
    let sending: (() => void) | undefined;
    const mailer = createMailer(mail.url);
    const slowMailer = {
      send: async (message: Parameters<typeof mailer.send>[0]) => {
        await new Promise<void>((resolve) => (sending = resolve));
        await mailer.send(message);
      },
      close: () => mailer.close(),
    };
    const sender = await startEmailSender({ pool: db.pool, mailer: slowMailer, from: 'shop@example.com', logger });
    await record([email]);
    await waitFor(() => sending !== undefined, { description: 'the email in hand' });

    const stopped = sender.stop();
    sending!();
    await stopped;
    const { rows } = await db.pool.query('SELECT status FROM emails WHERE email_id = $1', [email.emailId]);
    expect(rows).toEqual([{ status: 'SENT' }]);
    expect(mail.messages.filter((m) => m.to === email.to)).toHaveLength(1);
    const { rows: reported } = await db.pool.query(`SELECT 1 FROM outbox WHERE event_type = 'EmailSent' AND key = $1`, [email.orderId]);
    expect(reported).toHaveLength(1);
  });

  it('passes over an email claimed by a sender that died, and its order\'s later emails, until the lease ran out; then sends them in order', async () => {
    const orderId = randomUUID();
    const to = `${randomUUID()}@example.com`;
    // The oldest PENDING email of the database, so the dead sender's claim takes it.
    const confirmation: Email = { ...pendingEmail(to), orderId, createdAt: '2000-01-01T00:00:00.000Z' };
    const cancellation: Email = { ...pendingEmail(to), orderId, template: 'ORDER_CANCELLED', subject: 'Your order is cancelled' };
    const other = pendingEmail(`${randomUUID()}@example.com`);
    await record([confirmation, cancellation]);
    const claimed = await claimNextDueEmail(db.pool, new Date().toISOString(), { token: randomUUID(), leaseMs: 3_000 });
    expect(claimed?.email.emailId).toBe(confirmation.emailId);
    const { rows: leases } = await db.pool.query<{ claimed_until: Date }>('SELECT claimed_until FROM emails WHERE email_id = $1', [confirmation.emailId]);
    const leaseEnd = leases[0]!.claimed_until.getTime();

    senders.push(await startEmailSender({ pool: db.pool, mailer: createMailer(mail.url), from: 'shop@example.com', logger }));
    await record([other]);
    const messageOf = (email: Email) => mail.messages.find((m) => m.messageId === `<${email.emailId}@webshop>`);
    const [first, second] = await waitFor(() => messageOf(confirmation) && messageOf(cancellation) && [messageOf(confirmation)!, messageOf(cancellation)!], {
      timeoutMs: 20_000,
      description: 'both emails of the order',
    });
    // The sender was not idle meanwhile: the other order's email went out during the lease.
    expect(messageOf(other)!.receivedAt.getTime()).toBeLessThan(leaseEnd);
    expect(first.receivedAt.getTime()).toBeGreaterThanOrEqual(leaseEnd - 50); // the two clocks of one machine
    expect(second.receivedAt.getTime()).toBeGreaterThanOrEqual(first.receivedAt.getTime());
    expect(mail.messages.filter((m) => m.to === to).map((m) => m.subject)).toEqual(['Your order is confirmed', 'Your order is cancelled']);
    await waitFor(
      async () => (await db.pool.query(`SELECT 1 FROM emails WHERE order_id = $1 AND status = 'SENT' AND claim_token IS NULL`, [orderId])).rowCount === 2,
      { description: 'both SENT' },
    );
  });
});
