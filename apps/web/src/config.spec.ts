import { readConfig, serviceUrls } from './config';

describe("the web server's configuration", () => {
  it('defaults to port 3000 and the five services on their ports of the design', () => {
    const config = readConfig({ KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(config.PORT).toBe(3000);
    expect(serviceUrls(config)).toEqual({
      orders: 'http://127.0.0.1:3001',
      payment: 'http://127.0.0.1:3002',
      stock: 'http://127.0.0.1:3003',
      shipping: 'http://127.0.0.1:3004',
      email: 'http://127.0.0.1:3005',
    });
  });

  it('takes each address from the environment, without a trailing slash', () => {
    expect(serviceUrls(readConfig({ KAFKA_BROKERS: 'k:9092', SHIPPING_URL: 'http://shipping:3004/' })).shipping).toBe('http://shipping:3004');
  });

  it('names every bad variable, and needs no database', () => {
    expect(() => readConfig({ ORDERS_URL: 'orders', PORT: 'eighty' })).toThrow(/KAFKA_BROKERS: is required[\s\S]*ORDERS_URL: |ORDERS_URL: [\s\S]*KAFKA_BROKERS: is required/);
    expect(() => readConfig({ ORDERS_URL: 'orders', PORT: 'eighty' })).toThrow(/PORT: /);
    expect(() => readConfig({ KAFKA_BROKERS: 'k:9092' })).not.toThrow();
  });
});
