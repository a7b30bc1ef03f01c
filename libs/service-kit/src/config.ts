import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** A comma-separated list, each item checked with `item`; absent or empty: none. */
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .default('')
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(item));

/** Variables every service reads. A service extends this with its own. */
export const commonEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535), // 0: any free port (tests)
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean)),
  /** The service's own Kafka principal, for a broker with SASL (SCRAM-SHA-512); both or neither. */
  KAFKA_USERNAME: z.string().min(1).optional(),
  KAFKA_PASSWORD: z.string().min(1).optional(),
  DATABASE_URL: z.string().url(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Prepended to every topic and consumer group: several shops (or test runs) on one broker. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only').default(''),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(64).default(3),
  /** How long start-up waits for Postgres and Kafka (with back-off) before it exits 1 naming the one missing. */
  STARTUP_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(180_000),
  /** How long a stopping service keeps serving with /readyz 503 before it closes its port (at most 2 s). */
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(2_000).default(1_000),
  /** The operator endpoints' Bearer tokens, comma-separated (operator-access.ts); required unless ADMIN_AUTH=off. */
  ADMIN_TOKENS: list(z.string().min(16, 'each token must be at least 16 characters').regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces only')),
  /** `off`: the local demo mode, the operator endpoints open to anyone (logged as a warning). */
  ADMIN_AUTH: z.enum(['on', 'off']).default('on'),
  /** Where spans go (OTLP over HTTP, e.g. http://jaeger:4318; the exporter appends /v1/traces); none: spans are not recorded. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The browser origins allowed to call the API across origins (the web front end's), comma-separated; none by default. */
  CORS_ORIGIN: list(z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin)),
});

/** The Kafka login the configuration names, if any; one of the two alone is a mistake. */
export function kafkaCredentials(config: { KAFKA_USERNAME?: string; KAFKA_PASSWORD?: string }): { username: string; password: string } | undefined {
  const { KAFKA_USERNAME: username, KAFKA_PASSWORD: password } = config;
  if (!username && !password) return undefined;
  if (!username || !password) throw new ConfigError(`invalid configuration:\n  ${username ? 'KAFKA_PASSWORD' : 'KAFKA_USERNAME'}: is required with ${username ? 'KAFKA_USERNAME' : 'KAFKA_PASSWORD'}`);
  return { username, password };
}

/**
 * Parses the environment once at start-up. On failure throws a ConfigError that names every
 * offending variable and why, e.g. `PORT: expected number, received NaN`.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const value = issue.path.length ? env[String(issue.path[0])] : undefined;
    return `  ${variable}: ${value === undefined ? 'is required' : issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
}
