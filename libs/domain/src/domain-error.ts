/**
 * The one error a domain throws: a business rule refused the command. It carries the code and the
 * HTTP status the API contract names for that refusal (docs/architecture.md), so the shared error
 * handler maps every service's refusals the same way and no router catches one by hand.
 *
 * Infrastructure errors are a different tree (retriable or not, libs/kafka/src/errors.ts); a
 * DomainError reaching a consumer is a refusal, which retrying cannot change.
 */
export type DomainErrorStatus = 404 | 409 | 422;

export interface DomainErrorDetail {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly status: DomainErrorStatus,
    readonly code: string,
    message: string,
    readonly details: readonly DomainErrorDetail[] = [],
    /** What the client may want to know besides the message (e.g. the state that refused it). */
    readonly facts: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
