import { z } from 'zod';
import { ConfigError, commonEnv, kafkaCredentials, loadConfig } from './config';

const schema = commonEnv.extend({ PORT: commonEnv.shape.PORT.default(3001), AUTO_DISPATCH_MS: z.coerce.number().optional() });
const valid = { KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/orders' };

describe('loadConfig', () => {
  it('parses a valid environment, with defaults and lists', () => {
    const config = loadConfig(schema, valid);
    expect(config).toMatchObject({ PORT: 3001, KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.1:9094'], LOG_LEVEL: 'info' });
  });

  it('names every missing or bad variable in one clear error', () => {
    const attempt = () => loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'not a url' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT: .*number/);
    expect(attempt).toThrow(/KAFKA_BROKERS: is required/);
    expect(attempt).toThrow(/DATABASE_URL: /);
  });
});

describe('kafkaCredentials', () => {
  it('is a login with both the user and the password, none with neither, and refuses one alone', () => {
    expect(kafkaCredentials({ KAFKA_USERNAME: 'payment', KAFKA_PASSWORD: 's3cret' })).toEqual({ username: 'payment', password: 's3cret' });
    expect(kafkaCredentials({})).toBeUndefined();
    expect(() => kafkaCredentials({ KAFKA_USERNAME: 'payment' })).toThrow(/KAFKA_PASSWORD: is required with KAFKA_USERNAME/);
    expect(() => kafkaCredentials({ KAFKA_PASSWORD: 's3cret' })).toThrow(ConfigError);
  });
});
