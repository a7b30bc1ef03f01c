/**
 * The operator's Bearer token in tests: one random token per test process (never a fixed one in the
 * repository), given to every service a test starts (ADMIN_TOKENS) and sent by the test clients,
 * which act as the operator unless told otherwise (`token: null`: a customer, no header at all).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const testOperatorToken = randomBytes(24).toString('base64url');

/** `{ authorization: 'Bearer <token>' }`, or no header for `null`. */
export const operatorHeaders = (token: string | null = testOperatorToken): Record<string, string> => (token === null ? {} : { authorization: `Bearer ${token}` });

/**
 * The operator token a tool uses against a running shop (QA's `npm run e2e`, `npm run load`):
 * ADMIN_TOKEN when set, else the one `npm start` wrote to its state folder (SHOP_STATE_DIR, default
 * infra/local/.state/admin-token); undefined when neither, and the operator calls are refused 401.
 */
export function toolOperatorToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env['ADMIN_TOKEN']) return env['ADMIN_TOKEN'];
  const file = path.join(env['SHOP_STATE_DIR'] ?? path.resolve(__dirname, '../../../infra/local/.state'), 'admin-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}
