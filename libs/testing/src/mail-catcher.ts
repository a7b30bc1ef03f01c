/**
 * A real SMTP server that keeps every message it receives: what the email service sends to in tests
 * and in local runs, instead of a mail provider.
 *
 * - smtp-server on 127.0.0.1, a free port (or the one asked for); plain SMTP: no TLS (STARTTLS is
 *   not offered), no authentication needed. `url` is what SMTP_URL takes: `smtp://127.0.0.1:<port>`.
 * - Each message is parsed with mailparser into a CaughtMail and kept in `messages`, in arrival order.
 * - `refuse(true)` plays a mail server that is down: every new connection is answered
 *   `421 … try again later` and closed, and so is a message started on a connection opened before
 *   (a client's pool keeps its connections open between mails), so a client gets a temporary (4xx)
 *   failure; `refuse(false)` takes mail again.
 * - `hook({ mailFrom, data })`, for tests of what a client does at a given moment of the exchange:
 *   `mailFrom` runs when a client starts a message (MAIL FROM), before the server answers it;
 *   `data` runs once a message's DATA arrived in full, before the server answers 250 (the server
 *   has the message, the client does not know yet). The server answers once the hook settled; the
 *   message is kept either way. `deliveries(messageId)` counts every message received in full with
 *   that Message-ID, duplicates included.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type AddressObject } from 'mailparser';
import { waitFor } from '@webshop/testing-core';

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
  /** Every header whose value is plain text, by lower-case name (e.g. `x-webshop-order-id`). */
  headers: Record<string, string>;
  receivedAt: Date;
}

/** See `hook`: each runs before the server answers, and the server answers once it settled. */
export interface MailCatcherHooks {
  /** A client starts a message: MAIL FROM `from`. */
  mailFrom?: (from: string) => void | Promise<void>;
  /** A message arrived in full (DATA and its final dot), before the server answers 250. */
  data?: (mail: CaughtMail) => void | Promise<void>;
}

export interface MailCatcher {
  /** `smtp://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every message received, in arrival order. */
  messages: CaughtMail[];
  /** Resolves with all messages once at least `count` arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<CaughtMail[]>;
  /** While on, every new connection, and every message begun on an open one, is answered 421 (a mail server that is down). */
  refuse(on: boolean): void;
  /** Replaces the hooks (`hook({})` removes them). */
  hook(hooks: MailCatcherHooks): void;
  /** How many messages with this Message-ID (angle brackets included) arrived in full. */
  deliveries(messageId: string): number;
  stop(): Promise<void>;
}

const addresses = (header: AddressObject | AddressObject[] | undefined): string[] =>
  [header ?? []].flat().flatMap((h) => h.value.map((a) => a.address ?? '')).filter(Boolean);

const unavailable = () => Object.assign(new Error('Service not available, try again later'), { responseCode: 421 });

export async function startMailCatcher(options: { port?: number } = {}): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  let refusing = false;
  let hooks: MailCatcherHooks = {};
  const delivered = new Map<string, number>();
  /** Runs a hook, then answers: the error of a hook that threw is logged, never the client's answer. */
  const answerAfter = (hook: (() => void | Promise<void>) | undefined, answer: () => void) => {
    Promise.resolve()
      .then(hook)
      .catch((error: unknown) => console.error('a mail catcher hook failed', error))
      .finally(answer);
  };

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    banner: 'webshop mail catcher',
    onConnect(_session, callback) {
      if (!refusing) return callback();
      callback(unavailable());
    },
    onMailFrom(address, _session, callback) {
      if (refusing) return callback(unavailable());
      const hook = hooks.mailFrom;
      answerAfter(hook && (() => hook(address.address)), () => callback());
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const caught: CaughtMail = {
            to: addresses(mail.to).join(', '),
            from: addresses(mail.from)[0] ?? '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            messageId: mail.messageId ?? '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            headers: Object.fromEntries([...mail.headers].filter(([, value]) => typeof value === 'string') as Array<[string, string]>),
            receivedAt: new Date(),
          };
          delivered.set(caught.messageId, (delivered.get(caught.messageId) ?? 0) + 1);
          messages.push(caught);
          const hook = hooks.data;
          answerAfter(hook && (() => hook(caught)), () => callback());
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
  // A client that dies mid-conversation (the email service killed, say) resets its connection:
  // smtp-server reports it as an 'error' of the server, which must not end the process it runs in
  // (npm start's, a test's, the chaos tool's). The connection is gone; the server goes on.
  server.on('error', () => undefined);
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
    hook(next) {
      hooks = next;
    },
    deliveries: (messageId) => delivered.get(messageId) ?? 0,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
