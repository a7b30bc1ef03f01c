/**
 * kafkajs' own log entries on the service's structured log (its `logCreator`).
 *
 * kafkajs hands over `{ namespace, level, log: { timestamp, logger: 'kafkajs', message, ...fields } }`.
 * On our line the message is `msg`, the fields join it, with these changes:
 *   - `correlationId` is the Kafka protocol's request number on one connection; on our lines that
 *     name is the order's (log-fields.ts), so kafkajs' goes under `kafkaRequestId`;
 *   - `timestamp` and `logger` are left out: the line has its `time`, and `source: 'kafkajs'`.
 *
 * The level is kafkajs' own, except for what it reports that is no problem of ours (`expected`
 * below): those go to debug, each with why.
 */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { PlumbingLogger } from './kafka-client';

export type KafkajsLine = { level: 'debug' | 'info' | 'warn' | 'error'; msg: string; fields: Record<string, unknown> };

/** Entries kafkajs logs as a warning or an error that are expected in a healthy shop. */
const expected: Array<{ why: string; matches: (entry: { namespace: string; message: string; fields: Record<string, unknown> }) => boolean }> = [
  {
    // Every error answer of a broker is logged by kafkajs at error level, and then thrown to the
    // caller: kafkajs' retry, which absorbs the races of a start (a topic another service is
    // creating, a partition without a leader yet, a group or transaction coordinator still loading,
    // the previous transaction still ending), or our code, which logs what it gives up on.
    why: 'a broker error answer, thrown to its caller',
    matches: ({ namespace, message }) => namespace === 'Connection' && message.startsWith('Response '),
  },
  {
    // One attempt of a send that kafkajs' retry tries again; a send that runs out of attempts
    // rejects, and the relay (or the dead-letter sender) logs that.
    why: 'a send attempt that kafkajs retries',
    matches: ({ namespace, fields }) => namespace === 'Producer' && 'retryCount' in fields,
  },
  {
    // Said on every idempotent producer's creation, about our own setting: a bounded retry, so a
    // send fails (and is reported) rather than hangs; after a failed send the relay starts a fresh
    // producer (createIdempotentProducer).
    why: "the project's own retry setting",
    matches: ({ namespace, message }) => namespace === 'Producer' && message.startsWith('Limiting retries for the idempotent producer'),
  },
];

const levels: Partial<Record<logLevel, KafkajsLine['level']>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** What one kafkajs entry becomes on our log. */
export function kafkajsLine({ namespace, level, log }: Pick<LogEntry, 'namespace' | 'level' | 'log'>): KafkajsLine {
  const { message, timestamp: _timestamp, logger: _logger, correlationId, ...rest } = log as LogEntry['log'] & Record<string, unknown>;
  const fields = { ...rest, ...(correlationId === undefined ? {} : { kafkaRequestId: correlationId }), namespace, source: 'kafkajs' };
  const known = expected.find((e) => e.matches({ namespace, message, fields: rest }));
  return { level: known ? 'debug' : (levels[level] ?? 'warn'), msg: message, fields: known ? { ...fields, expected: known.why } : fields };
}

/** The logCreator of every kafkajs client made here; `onError` hears of each entry kafkajs itself calls an error. */
export const kafkajsLogCreator =
  (logger: PlumbingLogger, onError?: (namespace: string) => void): logCreator =>
  () =>
  (entry) => {
    if (entry.level === logLevel.ERROR) onError?.(entry.namespace);
    const { level, msg, fields } = kafkajsLine(entry);
    logger[level](msg, fields);
  };
