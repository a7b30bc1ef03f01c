/**
 * The mail server accepted an email: in the caller's transaction, mark it SENT and append EmailSent
 * to the outbox, through the runtime (load and lock → decide → evolve → save → outbox). Answers
 * false when it was SENT already (another instance got there first, after this one's lease ran
 * out): nothing is appended then.
 */
import type { PoolClient } from '@webshop/postgres';
import { decideAndRecord } from '@webshop/runtime';
import { emailDecider } from '../../domain/email';
import { emailBeingSent, type EmailCause } from '../pg/email-store';

export async function recordEmailSent(tx: PoolClient, emailId: string, { sentAt, cause }: { sentAt: string; cause: EmailCause }): Promise<boolean> {
  const { events } = await decideAndRecord(tx, 'email', emailDecider, emailBeingSent(emailId), { type: 'RecordEmailSent', emailId, now: sentAt }, cause);
  return events.length > 0;
}
