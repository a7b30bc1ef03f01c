/**
 * Whether a Postgres or connection error may pass if tried again: connection loss, server shutting
 * down, serialization failures and deadlocks, too many connections. Constraint violations and
 * syntax errors are not: trying again gives the same answer.
 */
export function isRetriablePgError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  const code = e?.code ?? '';
  if (/^(08|53|57P|40)/.test(code)) return true; // connection, resources, shutdown, tx rollback
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'].includes(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    e?.message ?? '',
  );
}
