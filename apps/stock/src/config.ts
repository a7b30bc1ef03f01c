import { commonEnv, loadConfig } from '@webshop/service-kit';

export const configSchema = commonEnv.extend({
  PORT: commonEnv.shape.PORT.default(3003),
});

export type Config = ReturnType<typeof readConfig>;
export const readConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, env);
