/**
 * How a loop or a retry tells of its failures: once per streak. The first failure in a row is a
 * warning, the next ones are debug lines (same message, with `attempt` and `delayMs`), so an outage
 * says so once instead of filling the log; a streak that ends says so at info when `recovered` is given.
 */
export interface BackgroundLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface FailureLog {
  logger: BackgroundLogger;
  /** Said when a streak starts, e.g. 'outbox relay could not publish; retrying'. */
  message: string;
  /** Said when a streak ends, if given. */
  recovered?: string;
  /** Fields every line carries (an id, a name). */
  fields?: Record<string, unknown>;
  /** What goes into the `err` field; the error itself by default. */
  err?: (error: unknown) => unknown;
}

export interface FailureStreak {
  failed(error: unknown, attempt: number, delayMs: number): void;
  succeeded(): void;
}

export function failureStreak(log: FailureLog | undefined): FailureStreak {
  let told = false;
  return {
    failed(error, attempt, delayMs) {
      if (!log) return;
      const fields = { ...log.fields, err: log.err ? log.err(error) : error, attempt, delayMs };
      if (told) log.logger.debug(log.message, fields);
      else log.logger.warn(log.message, fields);
      told = true;
    },
    succeeded() {
      if (told && log?.recovered) log.logger.info(log.recovered, { ...log.fields });
      told = false;
    },
  };
}
