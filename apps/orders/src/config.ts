import { z } from 'zod';
import { commonEnv, loadConfig } from '@webshop/service-kit';

/** Orders' own variables. */
export const ordersEnv = z.object({
  /**
   * How long `POST /orders/:id/cancel` waits for shipping's answer about a confirmed order (whether
   * its parcel had left) before it answers 202 with the cancellation still open.
   */
  CANCEL_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(10_000),
});

export const configSchema = commonEnv.extend({
  PORT: commonEnv.shape.PORT.default(3001),
  ...ordersEnv.shape,
});

export type Config = ReturnType<typeof readConfig>;
export const readConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, env);
