/**
 * Sends one email over SMTP with nodemailer. A new connection per email (no pool): the sender sends
 * one at a time, and a fresh connection per attempt notices a mail server that came back at once.
 * Time-outs are short, so a mail server that hangs fails the attempt instead of stalling the sender.
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

export function createMailer(smtpUrl: string): Mailer {
  const options: SMTPTransport.Options = {
    url: smtpUrl,
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
