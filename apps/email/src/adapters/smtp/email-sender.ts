/**
 * Sends the PENDING emails, outside any consumer transaction.
 *
 * - Woken by LISTEN/NOTIFY when a transaction records a new email (a dedicated connection); a slow
 *   poll is only a safety net for a notification lost while that connection was down.
 * - `concurrency` workers each take the oldest due PENDING email with FOR UPDATE SKIP LOCKED (so
 *   workers and instances side by side never send one email twice at once; an order's emails go in
 *   the order they were planned, see lockNextDueEmail), send it with a Message-ID fixed by its id
 *   (`<emailId@webshop>`), and right after the mail server accepted it mark it SENT and append
 *   EmailSent to the outbox, in that one transaction.
 * - A refused or failed attempt is recorded on the email (attempts, last_error) and pushes it back
 *   (next_attempt_at), so one email the server keeps refusing does not hold up the rest; the sender
 *   itself backs off, since the mail server is most likely down. What is SENT is never sent again.
 * - The limit: if the process dies (or the database fails) after the mail server accepted an email
 *   and before the SENT mark committed, that email is sent again after restart: at-least-once, with
 *   the same Message-ID, which lets mail clients and servers recognise the duplicate.
 * - stop() finishes the emails in hand, then closes the listening connection.
 */
import { appendToOutbox, backoffMs } from '@webshop/kafka';
import { createWaker, listen, withTransaction, type Listening, type Pool, type Waker } from '@webshop/postgres';
import type { Logger } from '@webshop/service-kit';
import { evolve, recordSent } from '../../domain/email';
import { EMAIL_PENDING_CHANNEL, lockNextDueEmail, markSent, nextDueAt, recordFailedAttempt } from '../pg/email-store';
import { SMTP_CONNECTIONS, type Mailer } from './mailer';

export interface EmailSenderOptions {
  pool: Pool;
  mailer: Mailer;
  /** The From header, e.g. `Webshop <shop@example.com>`. */
  from: string;
  logger: Logger;
  clock?: () => Date;
  /** Emails sent at the same time (each worker its own transaction and SMTP connection). */
  concurrency?: number;
  /** The safety-net poll. */
  pollIntervalMs?: number;
  /** Back-off of the sender after a failed attempt: initial and longest. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Back-off of one email after a failed attempt: initial and longest. */
  emailRetryInitialMs?: number;
  emailRetryMaxMs?: number;
}

export interface EmailSender {
  /** Finishes the emails in hand, then stops. */
  stop(): Promise<void>;
}

type Outcome = 'sent' | 'failed' | 'idle';

const describe = (error: unknown): string => {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown } | null;
  const code = [e?.code, e?.responseCode].filter((x) => x !== undefined && x !== null).join(' ');
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return code ? `${code}: ${message}` : message;
};

export async function startEmailSender(options: EmailSenderOptions): Promise<EmailSender> {
  const {
    pool,
    mailer,
    from,
    logger,
    clock = () => new Date(),
    concurrency = SMTP_CONNECTIONS, // a worker never waits for a connection
    pollIntervalMs = 5_000,
    retryInitialMs = 250,
    retryMaxMs = 15_000,
    emailRetryInitialMs = 1_000,
    emailRetryMaxMs = 60_000,
  } = options;
  let listener: Listening | undefined;

  const wakers = Array.from({ length: concurrency }, () => createWaker()); // one per worker
  const notify = () => wakers.forEach((waker) => waker.notify());

  async function startListening(): Promise<void> {
    listener =
      (await listen(pool, EMAIL_PENDING_CHANNEL, {
        onNotify: notify,
        onLost: (error) => {
          logger.warn('the email sender lost its listening connection', { err: error });
          listener = undefined;
          notify(); // look now: a notification may have been lost
        },
      })) ?? undefined;
  }

  /** Sends the oldest due email, if any, in its own transaction. */
  const sendNext = () =>
    withTransaction(pool, async (tx): Promise<Outcome> => {
      const due = await lockNextDueEmail(tx, clock().toISOString());
      if (!due) return 'idle';
      const { email, cause } = due;
      try {
        await mailer.send({
          from,
          to: email.to,
          subject: email.subject,
          text: email.body,
          messageId: `<${email.emailId}@webshop>`,
          headers: { 'X-Webshop-Order-Id': email.orderId, 'X-Webshop-Template': email.template },
        });
      } catch (error) {
        const attempt = email.attempts + 1;
        const retryAt = new Date(clock().getTime() + backoffMs(attempt, emailRetryInitialMs, emailRetryMaxMs)).toISOString();
        await recordFailedAttempt(tx, email.emailId, describe(error), retryAt);
        logger.warn('sending an email failed; it stays PENDING', { emailId: email.emailId, orderId: email.orderId, attempt, retryAt, err: describe(error) });
        return 'failed';
      }
      const [sent] = recordSent(email, { now: clock().toISOString() });
      if (sent) {
        const next = evolve(email, sent);
        if (next.status === 'SENT') await markSent(tx, next);
        await appendToOutbox(tx, 'email', [{ ...sent, causedBy: cause }]);
        logger.info('email sent', { emailId: email.emailId, orderId: email.orderId, template: email.template });
      }
      return 'sent';
    });

  /** How long to idle: until the next pushed-back email falls due, at most one poll interval. */
  async function idleMs(): Promise<number> {
    const due = await nextDueAt(pool);
    if (!due) return pollIntervalMs;
    // Never 0: the due email may be in the hands of another instance.
    return Math.min(pollIntervalMs, Math.max(50, due.getTime() - clock().getTime()));
  }

  await startListening();
  const worker = async (waker: Waker) => {
    const wait = (ms: number, wakeOnNotify: boolean) => waker.wait(ms, wakeOnNotify);
    let failures = 0;
    while (!waker.stopped) {
      try {
        if (!listener) await startListening();
        const outcome = await sendNext();
        if (outcome === 'sent') {
          failures = 0;
        } else if (outcome === 'failed') {
          failures += 1;
          await wait(backoffMs(failures, retryInitialMs, retryMaxMs), false);
        } else {
          await wait(await idleMs(), true);
        }
      } catch (error) {
        failures += 1;
        const delayMs = backoffMs(failures, retryInitialMs, retryMaxMs);
        logger.warn('the email sender failed; retrying', { err: error, attempt: failures, delayMs });
        await wait(delayMs, false);
      }
    }
  };
  const running = Promise.all(wakers.map(worker));

  return {
    async stop() {
      wakers.forEach((waker) => waker.stop());
      await running;
      const listening = listener;
      listener = undefined;
      await listening?.close();
    },
  };
}
