import { z } from 'zod';
import { commonEnv, loadConfig } from '@webshop/service-kit';
import { serviceNames, type ServiceName } from '@webshop/events';

const serviceUrl = z.string().url().transform((url) => url.replace(/\/+$/, ''));
const defaultPorts: Record<ServiceName, number> = { orders: 3001, payment: 3002, stock: 3003, shipping: 3004, email: 3005 };

/**
 * The web server's environment. No DATABASE_URL: it owns no database and reads no one else's. It
 * reads the topics (KAFKA_BROKERS, TOPIC_PREFIX) and talks to the five services at <SERVICE>_URL.
 */
export const configSchema = commonEnv
  .pick({ KAFKA_BROKERS: true, KAFKA_USERNAME: true, KAFKA_PASSWORD: true, LOG_LEVEL: true, TOPIC_PREFIX: true, STARTUP_TIMEOUT_MS: true })
  .extend({
    PORT: commonEnv.shape.PORT.default(3000),
    ...(Object.fromEntries(serviceNames.map((name) => [`${name.toUpperCase()}_URL`, serviceUrl.default(`http://127.0.0.1:${defaultPorts[name]}`)])) as Record<
      `${Uppercase<ServiceName>}_URL`,
      z.ZodDefault<typeof serviceUrl>
    >),
    /** Where the built browser app is (default: beside the bundle, or dist/apps/web/public from source). */
    STATIC_DIR: z.string().min(1).optional(),
    /** How many events the pulse keeps in memory, newest last. */
    PULSE_EVENTS: z.coerce.number().int().min(10).max(100_000).default(5_000),
    /** How often the pulse asks each service for /readyz and /metrics while someone watches. */
    HEALTH_INTERVAL_MS: z.coerce.number().int().min(200).max(60_000).default(2_000),
  });

export type Config = ReturnType<typeof readConfig>;
export const readConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, env);

export const serviceUrls = (config: Config): Record<ServiceName, string> =>
  Object.fromEntries(serviceNames.map((name) => [name, config[`${name.toUpperCase() as Uppercase<ServiceName>}_URL`]])) as Record<ServiceName, string>;
