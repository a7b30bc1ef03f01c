/**
 * Structured JSON logs (pino), one object a line on stdout:
 * `{"level":"info","time":"2026-…Z","service":"orders","msg":"listening","port":3001}`.
 * Fields passed with a message (an `err`, a `correlationId`, …) join the line.
 *
 * Each key appears once in a line. pino writes its base, a child's bindings and a call's fields
 * side by side, so the same name given twice (a child's `correlationId` and the call's, the base's
 * `service` and a call's) would be two keys, which JSON readers resolve each their own way. Here
 * they are merged first, the most specific winning; a field named like one of pino's own keys
 * (level, time, msg) is kept as `<name>Field`.
 *
 * Fixed names for what ties lines together: `correlationId` (the order id an event is about),
 * `traceId` (its W3C trace), `eventId`, `eventType` (libs/kafka's log-fields.ts), `requestId` (an
 * HTTP request's, http-app.ts). Every line logged while an event is handled (its handler, what
 * the handler calls) carries that event's four without being told (withEventLogFields); every line
 * logged in a trace (a request's) carries its `traceId`.
 */
import pino from 'pino';
import { currentEventLogFields } from '@webshop/kafka';
import { currentTraceId } from '@webshop/tracing';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

const pinoKeys = new Set(['level', 'time', 'msg']);
/** The fields of one line: bound first, then the call's, one key each. */
function lineFields(bound: Fields, fields: Fields): Fields {
  const line: Fields = { ...bound };
  for (const [key, value] of Object.entries(fields)) line[pinoKeys.has(key) ? `${key}Field` : key] = value;
  return line;
}

const pinoLoggers = new WeakMap<Logger, () => pino.Logger>();

/**
 * The trace in hand (a request's, libs/tracing), the fields of the event in hand (libs/kafka's
 * withEventLogFields), a child's bound fields, then the call's, the most specific winning; the bound
 * ones (the service) come first in the line.
 */
const withContext = (bound: Fields, fields: Fields): Fields => lineFields({ ...bound, ...traceInHand(), ...currentEventLogFields(), ...bound }, fields);

const traceInHand = (): Fields => {
  const traceId = currentTraceId();
  return traceId ? { traceId } : {};
};

function wrap(p: pino.Logger, bound: Fields): Logger {
  const logger: Logger = {
    debug: (msg, fields = {}) => p.debug(withContext(bound, fields), msg),
    info: (msg, fields = {}) => p.info(withContext(bound, fields), msg),
    warn: (msg, fields = {}) => p.warn(withContext(bound, fields), msg),
    error: (msg, fields = {}) => p.error(withContext(bound, fields), msg),
    child: (fields) => wrap(p, lineFields(bound, fields)),
  };
  pinoLoggers.set(logger, () => p.child(bound));
  return logger;
}

/**
 * The pino logger behind a Logger, its fields bound, for a library that takes a pino logger
 * (pino-http): same destination, level and redaction. Whatever it adds must not repeat a bound name.
 */
export function pinoOf(logger: Logger): pino.Logger {
  const made = pinoLoggers.get(logger);
  if (!made) throw new Error('pinoOf: not a logger made by createLogger');
  return made();
}

const secretFields = ['authorization', 'ADMIN_TOKENS', 'token', 'password'];
const redactedPaths = secretFields.flatMap((field) => [field, `*.${field}`, `*.headers.${field}`]);

export function createLogger(base: Fields, level: Level = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: null, // the base fields are bound by the wrapper, so that a call's field of the same name replaces them
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
    // Credentials never reach a log line, however they got into its fields: a request's headers,
    // a configuration, an options object.
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return wrap(destination ? pino(options, destination) : pino(options), lineFields({}, base));
}
