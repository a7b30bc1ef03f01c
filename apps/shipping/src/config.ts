import { z } from 'zod';
import { commonEnv, loadConfig } from '@webshop/service-kit';

/** Shipping's own variables. */
export const shippingEnv = z.object({
  /**
   * When set, shipments dispatch themselves this many ms after they were scheduled, and deliver
   * themselves as long after dispatch. Unset (or empty): only the API moves them.
   */
  AUTO_DISPATCH_MS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
});

export const configSchema = commonEnv.extend({
  PORT: commonEnv.shape.PORT.default(3004),
  ...shippingEnv.shape,
});

export type Config = ReturnType<typeof readConfig>;
export const readConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, env);
