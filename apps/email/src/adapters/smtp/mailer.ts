/**
 * Sends emails over SMTP with nodemailer, over a small pool of connections kept open between emails
 * (one per sender worker): a new connection, greeting and EHLO per email capped the sender at about
 * six emails a second here. A connection that fails fails its attempt and is replaced by the next
 * send. Time-outs are short, so a mail server that hangs fails the attempt instead of stalling: 10 s
 * for the connection and for the greeting, 30 s of silence at any later step. An attempt may still
 * outlast the claim's lease (EMAIL_CLAIM_MS) on a server that answers slowly enough; the sender
 * renews the lease every third of it while an attempt runs, so that costs nothing.
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  /** `<id@host>`: the same email always carries the same Message-ID, so a resend can be told apart. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Resolves once the mail server accepted the email; rejects with its refusal or the network error. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** Connections the mailer keeps open: one per worker of the email sender (email-sender.ts). */
export const SMTP_CONNECTIONS = 4;

export function createMailer(smtpUrl: string): Mailer {
  const options: SMTPTransport.Options & { pool: true; maxConnections: number } = {
    url: smtpUrl,
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  };
  const transport = nodemailer.createTransport(options);
  return {
    async send(mail) {
      await transport.sendMail(mail);
    },
    close: () => transport.close(),
  };
}
