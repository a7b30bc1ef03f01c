import { readConfig } from './config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/shipping' };

describe('the shipping configuration', () => {
  it('defaults the port and leaves automatic dispatch off', () => {
    const config = readConfig(base);
    expect(config.PORT).toBe(3004);
    expect(config.AUTO_DISPATCH_MS).toBeUndefined();
    expect(readConfig({ ...base, AUTO_DISPATCH_MS: '' }).AUTO_DISPATCH_MS).toBeUndefined();
  });

  it('takes AUTO_DISPATCH_MS as a positive whole number of milliseconds', () => {
    expect(readConfig({ ...base, AUTO_DISPATCH_MS: '200' }).AUTO_DISPATCH_MS).toBe(200);
    for (const bad of ['0', '-5', '1.5', 'soon']) expect(() => readConfig({ ...base, AUTO_DISPATCH_MS: bad })).toThrow(/AUTO_DISPATCH_MS/);
  });
});
