/**
 * Two kinds of failure decide what a consumer or relay does next:
 *  - retriable: the same attempt may pass later (broker or database hiccup) → back off and retry,
 *    never skipping the record;
 *  - non-retriable: trying again gives the same answer (undecodable record, schema violation, a
 *    business rule the event breaks: a DomainError, whose code is the reason) → dead-letter it and
 *    move on.
 * Errors carry a `retriable` flag, as kafkajs errors do; Postgres errors are judged by their SQLSTATE;
 * unknown errors are neither and get a few attempts before they count as non-retriable.
 */
import { DomainError } from '@webshop/domain';
import { isRetriablePgError } from '@webshop/postgres';


export class NonRetriableError extends Error {
  readonly retriable = false;
  constructor(
    /** A short machine-readable reason, carried into the dead-letter headers. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'NonRetriableError';
  }
}

export type Retriability = 'retriable' | 'non-retriable' | 'unknown';

export function classify(error: unknown): Retriability {
  if (error instanceof DomainError) return 'non-retriable';
  const flag = (error as { retriable?: unknown } | null)?.retriable;
  if (flag === true) return 'retriable';
  if (flag === false) return 'non-retriable';
  // Every kafkajs error carries the flag (KafkaJSError sets it, true unless told otherwise), so a
  // kafkajs error never gets this far; Postgres' errors carry none and are judged by their code.
  if (isRetriablePgError(error)) return 'retriable';
  return 'unknown';
}

/** A short reason code for an error, for logs and dead-letter headers. */
export function reasonOf(error: unknown): string {
  const e = error as { reason?: unknown; code?: unknown; name?: unknown } | null;
  if (typeof e?.reason === 'string') return e.reason;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.name === 'string') return e.name;
  return 'error';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
