/**
 * A real SMTP server that keeps every message it receives: what the email service sends to in tests
 * and in local runs, instead of a mail provider.
 *
 * - smtp-server on 127.0.0.1, a free port (or the one asked for); plain SMTP: no TLS (STARTTLS is
 *   not offered), no authentication needed. `url` is what SMTP_URL takes: `smtp://127.0.0.1:<port>`.
 * - Each message is parsed with mailparser into a CaughtMail and kept in `messages`, in arrival order.
 * - `refuse(true)` plays a mail server that is down: every new connection is answered
 *   `421 … try again later` and closed, so a client gets a temporary (4xx) failure; `refuse(false)`
 *   takes mail again.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import { waitFor } from './wait-for';

export interface CaughtMail {
  /** The addresses of the To header, comma-separated: with one recipient, exactly its address. */
  to: string;
  /** The address of the From header. */
  from: string;
  subject: string;
  /** The plain-text body. */
  text: string;
  /** The Message-ID header, angle brackets included: `<…@…>`. */
  messageId: string;
  /** The SMTP envelope recipients (RCPT TO), which may differ from the headers. */
  envelopeTo: string[];
  receivedAt: Date;
}

export interface MailCatcher {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every message received, in arrival order. */
  messages: CaughtMail[];
  /** Resolves with all messages once at least `count` arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<CaughtMail[]>;
  /** While on, every new connection is answered 421 and closed (a mail server that is down). */
  refuse(on: boolean): void;
  stop(): Promise<void>;
}

const addresses = (header: AddressObject | AddressObject[] | undefined): string[] =>
  [header ?? []].flat().flatMap((h) => h.value.map((a) => a.address ?? '')).filter(Boolean);

export async function startMailCatcher(options: { port?: number } = {}): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  let refusing = false;

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    banner: 'webshop mail catcher',
    onConnect(_session, callback) {
      if (!refusing) return callback();
      callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 421 }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({
            to: addresses(mail.to).join(', '),
            from: addresses(mail.from)[0] ?? '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            messageId: mail.messageId ?? '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            receivedAt: new Date(),
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as { port: number }).port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitForMessages: (count, timeoutMs = 10_000) =>
      waitFor(() => messages.length >= count && messages, { timeoutMs, description: `${count} messages at the mail catcher` }),
    refuse(on) {
      refusing = on;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
