/**
 * Sends the PENDING emails, outside any consumer transaction, with no transaction open (and no pool
 * connection held) during SMTP.
 *
 * - Woken by LISTEN/NOTIFY when a transaction records a new email (a dedicated connection); a slow
 *   poll is only a safety net for a notification lost while that connection was down.
 * - `concurrency` workers each claim the oldest due PENDING email: one statement that commits a
 *   claim token and a lease (`claimMs`) before any SMTP (claimNextDueEmail). Workers and instances
 *   side by side pass over a claimed email, so none is sent by two at once while its sender lives;
 *   an order's emails go in the order they were planned, a claimed one counting as still PENDING.
 *   While the SMTP attempt runs, the lease is renewed every third of it.
 * - The email goes out with a Message-ID fixed by its id (`<emailId@webshop>`). Once the mail server
 *   accepted it, that fact is kept in memory until one transaction marking it SENT and appending
 *   EmailSent to the outbox committed: tried at once, and again with a short back-off while the
 *   database is away (a restart), meanwhile this instance's other workers never claim it.
 * - A refused or failed attempt is recorded on the email (attempts, last_error), which is pushed back
 *   (next_attempt_at) and released, so one email the server keeps refusing does not hold up the
 *   rest; the sender itself backs off, since the mail server is most likely down.
 * - A crash after the claim and before the server accepted: the email goes out once the lease ran
 *   out, once. The one window left: a crash after the server accepted an email and before its SENT
 *   mark committed (a few milliseconds: one transaction); it is sent again once the lease ran out,
 *   with the same Message-ID. See the README, "How an email goes out", for every case.
 * - stop() finishes the emails in hand (an accepted one: until its SENT mark landed), then closes
 *   the listening connection.
 */
import { randomUUID } from 'node:crypto';
import { backoffMs, retry, startLoop, type Loop, type Next } from '@webshop/background';
import { keepListening, withTransaction, type Pool } from '@webshop/postgres';
import { traceIdOf, withEventLogFields } from '@webshop/kafka';
import { contextOf, failed, inSpan, SpanKind, type Span } from '@webshop/tracing';
import type { Logger } from '@webshop/service-kit';
import type { Email } from '../../domain/email';
import { claimNextDueEmail, EMAIL_PENDING_CHANNEL, nextDueAt, recordFailedAttempt, renewClaim, type Claim, type EmailCause } from '../pg/email-store';
import { recordEmailSent } from './record-sent';
import { SMTP_CONNECTIONS, type Mailer } from './mailer';

export interface EmailSenderOptions {
  pool: Pool;
  mailer: Mailer;
  /** The From header, e.g. `Webshop <shop@example.com>`. */
  from: string;
  logger: Logger;
  clock?: () => Date;
  /** Emails sent at the same time (each worker its own SMTP connection). */
  concurrency?: number;
  /** The safety-net poll. */
  pollIntervalMs?: number;
  /** Back-off of the sender after a failed attempt: initial and longest. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Back-off of one email after a failed attempt: initial and longest. */
  emailRetryInitialMs?: number;
  emailRetryMaxMs?: number;
  /**
   * The lease of a claim: how long a claimed email waits when its sender died, and how long a
   * database outage may last before another instance may claim an email this one sent but could not
   * mark SENT yet. Renewed every third of it while the SMTP attempt runs.
   */
  claimMs?: number;
  /** Back-off of the SENT mark of an accepted email while the database is away: initial and longest. */
  markRetryInitialMs?: number;
  markRetryMaxMs?: number;
  /** Each SMTP exchange: whether the server accepted the email, and the seconds it took. */
  onSmtpAttempt?: (outcome: 'accepted' | 'failed', seconds: number) => void;
}

/** The default lease of a claim (EMAIL_CLAIM_MS). */
export const DEFAULT_CLAIM_MS = 120_000;

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
    claimMs = DEFAULT_CLAIM_MS,
    markRetryInitialMs = 100,
    markRetryMaxMs = 1_000,
    onSmtpAttempt,
  } = options;
  /** Emails the mail server accepted whose SENT mark has not landed yet: no worker claims them again. */
  const awaitingMark = new Set<string>();

  const workers: Loop[] = []; // one per worker
  const notify = () => workers.forEach((worker) => worker.wake());

  /** Renews the lease of `claim` every third of it until the returned function is called. */
  function keepClaim(emailId: string, claim: Claim): () => void {
    const renewal = startLoop({
      waitFirst: true,
      idleMs: claimMs / 3,
      backoff: { initialMs: claimMs / 6, maxMs: claimMs / 3 },
      log: { logger, message: 'renewing the claim of an email failed', fields: { emailId } },
      async work(released) {
        const held = await renewClaim(pool, emailId, claim);
        // The lease ran out while the database was away, and another sender took the email.
        if (!held && !released.aborted) logger.warn('an email being sent was claimed by another sender meanwhile', { emailId });
      },
    });
    return () => void renewal.stop(); // a renewal in flight finishes on its own; nothing waits for it
  }

  /**
   * The mail server accepted `email`: marks it SENT and appends EmailSent in one transaction, and
   * tries again with a short back-off until that committed (a database restart in between must not
   * have it sent again). Never gives up while the process lives.
   */
  async function recordAccepted(email: Email, cause: EmailCause, sentAt: string): Promise<void> {
    awaitingMark.add(email.emailId);
    try {
      // False when it was SENT already (another instance, after this one's lease ran out).
      const marked = await retry(
        () => withTransaction(pool, (tx) => recordEmailSent(tx, email.emailId, { sentAt, cause })),
        {
          backoff: { initialMs: markRetryInitialMs, maxMs: markRetryMaxMs },
          log: { logger, message: 'the mail server accepted an email but marking it SENT failed; retrying', fields: { emailId: email.emailId } },
        },
      );
      logger.info(marked ? 'email sent' : 'email sent again; it was SENT already', { emailId: email.emailId, template: email.template });
    } finally {
      awaitingMark.delete(email.emailId);
    }
  }

  /** Claims the oldest due email, if any, and sends it; no transaction is open during SMTP. */
  async function sendNext(): Promise<Outcome> {
    const claim: Claim = { token: randomUUID(), leaseMs: claimMs };
    const due = await claimNextDueEmail(pool, clock().toISOString(), claim, [...awaitingMark]);
    if (!due) return 'idle';
    // Its lines carry the order and the trace of the event that called for it.
    // The send is a span in the order's trace: the child of the event that called for the email.
    const attributes = { 'webshop.email_id': due.email.emailId, 'webshop.order_id': due.email.orderId, 'webshop.template': due.email.template, 'webshop.attempt': due.email.attempts + 1 };
    return withEventLogFields({ correlationId: due.email.orderId, traceId: traceIdOf(due.cause.traceparent) }, () =>
      inSpan(`smtp send ${due.email.template}`, { kind: SpanKind.CLIENT, parent: contextOf(due.cause.traceparent), attributes }, (span) => send(due.email, due.cause, claim, span)),
    );
  }

  async function send(email: Email, cause: EmailCause, claim: Claim, span: Span): Promise<Outcome> {
    const release = keepClaim(email.emailId, claim);
    const started = performance.now();
    const attempted = (outcome: 'accepted' | 'failed') => onSmtpAttempt?.(outcome, (performance.now() - started) / 1000);
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
      attempted('failed');
      failed(span, error, describe(error));
      release();
      const attempt = email.attempts + 1;
      const retryAt = new Date(clock().getTime() + backoffMs(attempt, emailRetryInitialMs, emailRetryMaxMs)).toISOString();
      // Should this fail too (the database away), the claim lapses with its lease and the email is tried again then.
      await recordFailedAttempt(pool, email.emailId, claim.token, describe(error), retryAt);
      logger.warn('sending an email failed; it stays PENDING', { emailId: email.emailId, attempt, retryAt, err: describe(error) });
      return 'failed';
    }
    attempted('accepted');
    release();
    await recordAccepted(email, cause, clock().toISOString());
    return 'sent';
  }

  /** How long to idle: until the next pushed-back or claimed email falls due, at most one poll interval. */
  async function idleMs(): Promise<number> {
    const due = await nextDueAt(pool);
    if (!due) return pollIntervalMs;
    // Never 0: the due email may be being claimed right now, or awaiting its SENT mark here.
    return Math.min(pollIntervalMs, Math.max(50, due.getTime() - clock().getTime()));
  }

  /** One unit of a worker: one email sent or tried, or the wait until the next falls due. */
  async function work(): Promise<Next> {
    const outcome = await sendNext();
    if (outcome === 'sent') return 'again';
    if (outcome === 'failed') return 'failed'; // told of by sendNext; the mail server is most likely down
    return { idleMs: await idleMs() };
  }

  let started = false; // a failed first attempt is start-up's to tell of, not a lost connection
  const listening = keepListening(pool, EMAIL_PENDING_CHANNEL, {
    onNotify: notify,
    onInterrupted: (error) => {
      if (started) logger.warn('the email sender lost its listening connection', { err: error });
      notify(); // look now: a notification may have been lost
    },
  });
  try {
    await listening.firstAttempt(); // a start while the database is away fails, and start-up tries again
    started = true;
  } catch (error) {
    await listening.stop();
    throw error;
  }
  for (let i = 0; i < concurrency; i++) {
    workers.push(
      startLoop({
        work,
        idleMs: pollIntervalMs,
        backoff: { initialMs: retryInitialMs, maxMs: retryMaxMs },
        log: { logger, message: 'the email sender failed; retrying' },
      }),
    );
  }

  return {
    async stop() {
      await Promise.all(workers.map((worker) => worker.stop()));
      await listening.stop();
    },
  };
}
