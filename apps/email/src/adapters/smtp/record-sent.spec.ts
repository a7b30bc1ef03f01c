/**
 * Recording an accepted email through the runtime, against a real Postgres: the SENT mark and
 * EmailSent (caused by the event that called for the email) commit together, once.
 */
import { randomUUID } from 'node:crypto';
import { messagingMigrations } from '@webshop/kafka';
import { migrate, withTransaction } from '@webshop/postgres';
import { createTestDatabase, type TestDatabase } from '@webshop/testing';
import { pendingEmail } from '../../testing/pending-email';
import { insertEmail } from '../pg/email-store';
import { migrations } from '../pg/migrations';
import { recordEmailSent } from './record-sent';

describe('recording an email the mail server accepted', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('emailrecordsent');
    await migrate(db.pool, [...messagingMigrations, ...migrations]);
  });
  afterAll(() => db?.drop());

  it('marks it SENT and appends EmailSent once, caused by its trigger; a second report changes nothing', async () => {
    const email = pendingEmail('record-sent@example.com');
    const cause = { eventId: randomUUID(), traceparent: null };
    await withTransaction(db.pool, (tx) => insertEmail(tx, email, cause));
    const sentAt = new Date().toISOString();

    expect(await withTransaction(db.pool, (tx) => recordEmailSent(tx, email.emailId, { sentAt, cause }))).toBe(true);
    expect(await withTransaction(db.pool, (tx) => recordEmailSent(tx, email.emailId, { sentAt: new Date().toISOString(), cause }))).toBe(false);

    const { rows: [row] } = await db.pool.query('SELECT status, sent_at, attempts FROM emails WHERE email_id = $1', [email.emailId]);
    expect(row).toEqual({ status: 'SENT', sent_at: new Date(sentAt), attempts: 1 });
    const { rows } = await db.pool.query<{ event_type: string; headers: Record<string, string> }>('SELECT event_type, headers FROM outbox WHERE key = $1', [email.orderId]);
    expect(rows).toEqual([{ event_type: 'EmailSent', headers: expect.objectContaining({ 'causation-id': cause.eventId }) }]);
  });
});
