/**
 * The database restarts (a crash: `pg_ctl stop -m immediate`, then a start) right after the mail
 * server accepted an email: on a Postgres of this suite's own, never the shared one. The email goes
 * out once, ends SENT, and is reported once.
 */
import { randomUUID } from 'node:crypto';
import { messagingMigrations } from '@webshop/kafka';
import { createPool, databaseUrlFor, ensureServiceDatabase, migrate, withTransaction, type Pool } from '@webshop/postgres';
import { createLogger } from '@webshop/service-kit';
import { createDedicatedPostgres, startMailCatcher, waitFor, type DedicatedPostgres, type MailCatcher } from '@webshop/testing';
import { insertEmail } from '../pg/email-store';
import { migrations } from '../pg/migrations';
import { startEmailSender, type EmailSender } from './email-sender';
import { createMailer, type Mailer } from './mailer';
import { pendingEmail } from '../../testing/pending-email';

describe('the email sender, when the database restarts between the mail server accepting an email and its SENT mark', () => {
  let server: DedicatedPostgres;
  let pool: Pool;
  let mail: MailCatcher;
  let sender: EmailSender | undefined;
  let mailer: Mailer | undefined;
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: 'email' }, 'info', { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });

  beforeAll(async () => {
    server = await createDedicatedPostgres();
    await server.start();
    // As the email service runs: its own role, owner of its database (the probe below looks as the superuser).
    pool = createPool((await ensureServiceDatabase(server.url, 'email')).url);
    // A connection cut while checked out must not end this test process (pg emits 'error' on it).
    pool.on('connect', (client) => client.on('error', () => undefined));
    await migrate(pool, [...messagingMigrations, ...migrations]);
    mail = await startMailCatcher();
  }, 120_000);
  afterAll(async () => {
    await sender?.stop();
    mailer?.close(); // the mail catcher stops once no client is connected
    await mail?.stop();
    await pool?.end();
    await server?.destroy();
  });

  it('sends it once, marks it SENT once the database is back, and reports it once; no transaction is open during SMTP', async () => {
    const email = pendingEmail('restart@example.com');
    const messageId = `<${email.emailId}@webshop>`;
    const openTransactions: number[] = [];
    let restarted = false;
    let stopped: Promise<void> | undefined;
    mail.hook({
      // The server has the whole message and has not answered 250 yet.
      data: async (m) => {
        if (m.messageId !== messageId || restarted) return;
        restarted = true;
        // What the sender holds while it waits for the answer: a transaction left open would show here.
        const probe = createPool(databaseUrlFor(server.url, 'email'), { max: 1 });
        try {
          const { rows } = await probe.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
          );
          openTransactions.push(rows[0]!.n);
        } finally {
          await probe.end();
        }
        stopped = server.stop('immediate');
        await stopped;
      },
    });

    mailer = createMailer(mail.url);
    sender = await startEmailSender({ pool, mailer, from: 'shop@example.com', logger, claimMs: 60_000 });
    await withTransaction(pool, (tx) => insertEmail(tx, email, { eventId: randomUUID(), traceparent: null }));

    // The server answered 250 to a sender whose database is gone: what it does next fails (here: the
    // SENT mark, retried), and it says so; only then does the database come back.
    const markFailed = 'the mail server accepted an email but marking it SENT failed; retrying';
    await waitFor(() => restarted && logs.some((l) => l['level'] === 'warn' && l['msg'] === markFailed), {
      timeoutMs: 30_000,
      description: 'the sender failing on the database',
    });
    // The stop asks the server again every few seconds until it is down (dedicated-postgres.ts): a
    // start while it still asks would be stopped by its next try, and the database stay away.
    await stopped;
    await server.start();

    await waitFor(async () => (await pool.query(`SELECT 1 FROM emails WHERE email_id = $1 AND status = 'SENT'`, [email.emailId])).rowCount === 1, {
      timeoutMs: 30_000,
      description: 'the email SENT',
    });
    await sender.stop(); // nothing in hand any more: anything it would still send is sent by now
    sender = undefined;
    expect(openTransactions).toEqual([0]);
    expect(mail.deliveries(messageId)).toBe(1);
    const { rows } = await pool.query(`SELECT 1 FROM outbox WHERE event_type = 'EmailSent' AND key = $1`, [email.orderId]);
    expect(rows).toHaveLength(1);
    expect(logs.filter((l) => l['level'] === 'warn').map((l) => l['msg'])).toContain(markFailed);
  });
});
