/**
 * A service's JSON log line as a person reads it on a console (pino-pretty), e.g.
 *
 *   [10:28:09.966] INFO: email sent · order 736db1bd-a74a-46f1-9ae9-b20d1150864d
 *   [10:28:10.143] WARN: applying a record failed; retrying · order 736db1bd-… · connection refused
 *
 * time, level, message, the order (its `correlationId`, or an `orderId`; a product's sku), and on a
 * warning or an error what went wrong (`err`, or kafkajs' `error`). The other fields stay in the
 * JSON lines of the log files. A line that is not JSON (a crash's stack on stderr) is kept as it is.
 * The service is not repeated: the console's prefix names it.
 */
import { prettyFactory } from 'pino-pretty';

type Line = Record<string, unknown>;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the line is about: `order <id>`, or `sku <sku>` for a product's event. */
function subjectOf(line: Line): string | undefined {
  const id = line['correlationId'] ?? line['orderId'];
  if (typeof id !== 'string' || id === '') return undefined;
  return uuid.test(id) ? `order ${id}` : `sku ${id}`;
}

function problemOf(line: Line): string | undefined {
  if (line['level'] !== 'warn' && line['level'] !== 'error') return undefined;
  const err = line['err'] ?? line['error'];
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  return undefined;
}

const message = (line: Line): string => [String(line['msg'] ?? ''), subjectOf(line), problemOf(line)].filter(Boolean).join(' · ');

const options = { translateTime: 'SYS:HH:MM:ss.l', hideObject: true, messageFormat: message };
const plain = prettyFactory({ ...options, colorize: false });
const coloured = prettyFactory({ ...options, colorize: true });

export function formatLogLine(line: string, { colours = false }: { colours?: boolean } = {}): string {
  if (!line.startsWith('{')) return line;
  return (colours ? coloured : plain)(line).replace(/\n$/, '');
}
