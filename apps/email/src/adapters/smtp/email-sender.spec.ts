/**
 * Several senders on one database (several instances of the service) share the PENDING emails and
 * never send one twice; a sender stops after the email in hand.
 */
import { randomUUID } from 'node:crypto';
import { messagingMigrations } from '@webshop/kafka';
import { migrate, withTransaction } from '@webshop/postgres';
import { createLogger } from '@webshop/service-kit';
import { createTestDatabase, startMailCatcher, waitFor, type MailCatcher, type TestDatabase } from '@webshop/testing';
import type { Email } from '../../domain/email';
import { migrations } from '../pg/migrations';
import { insertEmail } from '../pg/email-store';
import { startEmailSender, type EmailSender } from './email-sender';
import { createMailer } from './mailer';

const logger = createLogger({ service: 'email' }, 'silent');

const pendingEmail = (to: string): Email => ({
  emailId: randomUUID(),
  orderId: randomUUID(),
  template: 'ORDER_CONFIRMED',
  to,
  subject: 'Your order is confirmed',
  body: 'Hello',
  createdAt: new Date().toISOString(),
  attempts: 0,
  status: 'PENDING',
  lastError: null,
});

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
});
