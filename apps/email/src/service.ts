/**
 * The email service: keeps its own copy of who ordered what, records one email per order and
 * template when an order is confirmed, rejected, cancelled or shipped, and sends them over SMTP
 * outside the consumer's transaction, reporting each with EmailSent.
 *
 * Reads: orders, shipments. Writes: emails.
 */
import { LATENCY_BUCKETS, oncePerScrape, type ServiceDefinition } from '@webshop/service-kit';
import { emailRoutes } from './adapters/http/router';
import { consumedTopics, emailEventHandlers } from './adapters/kafka/handlers';
import { pendingEmailCounts } from './adapters/pg/email-store';
import { migrations, projectionTables } from './adapters/pg/migrations';
import { startEmailSender } from './adapters/smtp/email-sender';
import { createMailer } from './adapters/smtp/mailer';
import type { Config } from './config';

export const emailService: ServiceDefinition<Config> = {
  name: 'email',
  migrations,
  consumes: { topics: consumedTopics, handlers: () => emailEventHandlers('live') },
  projections: { tables: projectionTables.map((name) => ({ name })), handlers: () => emailEventHandlers('replay') },
  async start({ pool, logger, config, metrics }) {
    const { SMTP_URL, MAIL_FROM, EMAIL_CLAIM_MS } = config;
    const smtpDuration = metrics.histogram('webshop_smtp_send_duration_seconds', 'SMTP exchanges with the mail server, by outcome (accepted, failed)', ['outcome'], LATENCY_BUCKETS);
    const emailCounts = oncePerScrape(() => pendingEmailCounts(pool));
    metrics.gauge('webshop_pending_emails', 'Emails recorded and not sent yet', async () => (await emailCounts()).pending);
    metrics.gauge('webshop_failing_emails', 'Emails not sent yet whose last attempt failed (the mail server refused or was away)', async () => (await emailCounts()).failing);
    const mailer = createMailer(SMTP_URL);
    const sender = await startEmailSender({
      pool,
      mailer,
      from: MAIL_FROM,
      logger,
      claimMs: EMAIL_CLAIM_MS,
      onSmtpAttempt: (outcome, seconds) => smtpDuration.observe({ outcome }, seconds),
    });
    return {
      routes: emailRoutes({ pool }),
      async stop() {
        await sender.stop();
        mailer.close();
      },
    };
  },
};
