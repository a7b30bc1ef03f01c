import { z } from 'zod';
import { commonEnv, loadConfig } from '@webshop/service-kit';
import { DEFAULT_CLAIM_MS } from './adapters/smtp/email-sender';

/** Email's own variables. */
export const emailEnv = z.object({
  /** The mail server, e.g. smtp://127.0.0.1:1025 (a local mail catcher) or smtps://user:pass@host:465. */
  SMTP_URL: z
    .string()
    .url()
    .regex(/^smtps?:\/\//i, 'must be an smtp:// or smtps:// URL'),
  /** The From header of every email. */
  MAIL_FROM: z.string().trim().min(3).default('Webshop <shop@example.com>'),
  /**
   * The lease of a sender's claim on an email, in ms (see the README, "How an email goes out"): how
   * long an email waits when its sender died, and how long a database outage an accepted email's
   * SENT mark outlasts for sure. Short in tests.
   */
  EMAIL_CLAIM_MS: z.coerce.number().int().min(1_000).default(DEFAULT_CLAIM_MS),
});

export const configSchema = commonEnv.extend({
  PORT: commonEnv.shape.PORT.default(3005),
  ...emailEnv.shape,
});

export type Config = ReturnType<typeof readConfig>;
export const readConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, env);
