/**
 * Structured JSON logs (pino), one object a line on stdout:
 * `{"level":"info","time":"2026-…Z","service":"orders","msg":"listening","port":3001}`.
 * Fields passed with a message (an `err`, a `correlationId`, …) join the line.
 */
import pino from 'pino';

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, fields = {}) => p.debug(fields, msg),
    info: (msg, fields = {}) => p.info(fields, msg),
    warn: (msg, fields = {}) => p.warn(fields, msg),
    error: (msg, fields = {}) => p.error(fields, msg),
    child: (fields) => wrap(p.child(fields)),
  };
}

const secretFields = ['authorization', 'ADMIN_TOKENS', 'token', 'password'];
const redactedPaths = secretFields.flatMap((field) => [field, `*.${field}`, `*.headers.${field}`]);

export function createLogger(base: Record<string, unknown>, level: Level = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
    // Credentials never reach a log line, however they got into its fields: a request's headers,
    // a configuration, an options object.
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return wrap(destination ? pino(options, destination) : pino(options));
}
