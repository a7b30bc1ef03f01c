/**
 * The email service as a real OS process (from source, as `npm start` runs it), SIGKILLed while it
 * sends an email: on the shared broker (a topic prefix of its own) and a test database of its own,
 * with the claim's lease short (EMAIL_CLAIM_MS). The kill comes from the mail server's side, at the
 * very moment of the exchange the test is about.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withTransaction } from '@webshop/postgres';
import {
  createTestDatabase,
  freePort,
  startMailCatcher,
  startServiceProcess,
  testKafkaAccess,
  uniqueName,
  waitFor,
  type MailCatcher,
  type ServiceProcess,
  type TestDatabase,
} from '@webshop/testing';
import { insertEmail } from './adapters/pg/email-store';
import type { Email } from './domain/email';
import { pendingEmail } from './testing/pending-email';

const CLAIM_MS = 3_000;

describe('email, SIGKILLed while it sends', () => {
  let mail: MailCatcher;
  let db: TestDatabase;
  let port: number;
  let logDir: string;
  const prefix = `${uniqueName('emailcrash').replace(/_/g, '-')}.`;
  const processes: ServiceProcess[] = [];
  const kafka = testKafkaAccess();
  let revokeAcls = async (): Promise<void> => undefined;

  const start = async () => {
    const service = await startServiceProcess({
      name: 'email',
      port,
      logFile: path.join(logDir, 'email.log'),
      kafka,
      env: {
        DATABASE_URL: db.url,
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        SMTP_URL: mail.url,
        EMAIL_CLAIM_MS: String(CLAIM_MS),
      },
    });
    processes.push(service);
    return service;
  };
  /** SIGKILLs `service` and waits until it is gone: no goodbye, nothing finished. */
  const kill = async (service: ServiceProcess) => {
    service.child.kill('SIGKILL');
    await service.exited;
  };

  beforeAll(async () => {
    mail = await startMailCatcher();
    revokeAcls = await kafka.grantShop(prefix);
    db = await createTestDatabase('emailcrash');
    port = await freePort();
    logDir = mkdtempSync(path.join(os.tmpdir(), 'email-crash-'));
  });
  afterEach(async () => {
    mail.hook({});
    await Promise.all(processes.splice(0).map((p) => p.stop('SIGKILL')));
  });
  afterAll(async () => {
    await mail?.stop();
    await revokeAcls();
    await db?.drop();
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  const crashEmail = () => pendingEmail(`${uniqueName('crash')}@example.com`);

  const record = (email: Email) => withTransaction(db.pool, (tx) => insertEmail(tx, email, { eventId: randomUUID(), traceparent: null }));
  async function row(emailId: string) {
    const { rows } = await db.pool.query<{ status: string; claimed_until: Date | null }>('SELECT status, claimed_until FROM emails WHERE email_id = $1', [emailId]);
    return rows[0]!;
  }
  const untilSent = (emailId: string) =>
    waitFor(async () => (await row(emailId)).status === 'SENT', { timeoutMs: 30_000, description: `${emailId} SENT` });
  async function reported(orderId: string): Promise<number> {
    const { rows } = await db.pool.query(`SELECT 1 FROM outbox WHERE event_type = 'EmailSent' AND key = $1`, [orderId]);
    return rows.length;
  }

  it('inside the window (the server has the email, SENT not committed): sends it again after the lease, with the same Message-ID, twice in all', async () => {
    let service = await start();
    const email = crashEmail();
    const messageId = `<${email.emailId}@webshop>`;
    let killed = false;
    mail.hook({
      data: async (m) => {
        if (m.messageId !== messageId || killed) return;
        killed = true;
        await kill(service); // before the server answers 250
      },
    });
    await record(email);
    await waitFor(() => killed && service.child.signalCode === 'SIGKILL', { timeoutMs: 20_000, description: 'the service killed inside the window' });
    expect(mail.deliveries(messageId)).toBe(1);
    const claimed = await row(email.emailId);
    expect(claimed).toMatchObject({ status: 'PENDING', claimed_until: expect.any(Date) });

    service = await start();
    await untilSent(email.emailId);
    const copies = mail.messages.filter((m) => m.to === email.to);
    expect(copies.map((m) => m.messageId)).toEqual([messageId, messageId]);
    expect(mail.deliveries(messageId)).toBe(2);
    expect(copies[1]!.receivedAt.getTime()).toBeGreaterThanOrEqual(claimed.claimed_until!.getTime() - 50); // after the lease
    expect(await reported(email.orderId)).toBe(1);
  });

  it('after the claim and before the server accepted: sends it once, after the lease', async () => {
    let service = await start();
    const email = crashEmail();
    const messageId = `<${email.emailId}@webshop>`;
    let killed = false;
    mail.hook({
      // MAIL FROM: the claim is committed, the message not sent yet (one email at a time here).
      mailFrom: async () => {
        if (killed) return;
        killed = true;
        await kill(service);
      },
    });
    await record(email);
    await waitFor(() => killed && service.child.signalCode === 'SIGKILL', { timeoutMs: 20_000, description: 'the service killed after the claim' });
    mail.hook({});
    const claimed = await row(email.emailId);
    expect(claimed).toMatchObject({ status: 'PENDING', claimed_until: expect.any(Date) });
    expect(mail.deliveries(messageId)).toBe(0);

    service = await start();
    await untilSent(email.emailId);
    const [copy, ...more] = mail.messages.filter((m) => m.to === email.to);
    expect(more).toEqual([]);
    expect(copy!.messageId).toBe(messageId);
    expect(mail.deliveries(messageId)).toBe(1);
    expect(copy!.receivedAt.getTime()).toBeGreaterThanOrEqual(claimed.claimed_until!.getTime() - 50);
    expect(await reported(email.orderId)).toBe(1);
  });
});
