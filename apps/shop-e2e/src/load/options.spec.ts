import { parseOptions, UsageError, type LoadOptions } from './options';

const now = new Date('2025-03-04T05:06:07.891Z');
const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(argv, env, { now, cwd: '/tmp/here' });
const options = (argv: string[], env: Record<string, string> = {}): LoadOptions => {
  const parsed = parse(argv, env);
  if (parsed.help) throw new Error('expected options, got --help');
  return parsed.options;
};
const usageError = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    parse(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
};

describe('load generator options', () => {
  it('needs only --rate and --duration; everything else has a default', () => {
    expect(options(['--rate', '50', '--duration', '10'])).toEqual({
      rate: 50,
      durationS: 10,
      ordersUrl: 'http://127.0.0.1:3001',
      stockUrl: 'http://127.0.0.1:3003',
      paymentUrl: 'http://127.0.0.1:3002',
      out: '/tmp/here/load-results/2025-03-04T05-06-07Z',
      settleTimeoutS: 60,
      customers: 50,
      skus: 20,
    });
  });

  it('takes the service URLs from the environment, and flags over the environment', () => {
    const parsed = options(['--rate=2.5', '--duration=3', '--stock-url', 'http://stock:80/'], { ORDERS_URL: 'http://orders:8080', STOCK_URL: 'http://ignored' });
    expect(parsed).toMatchObject({ rate: 2.5, ordersUrl: 'http://orders:8080', stockUrl: 'http://stock:80' });
  });

  it('takes every option', () => {
    const parsed = options(['--rate', '1', '--duration', '1', '--out', 'x/y', '--settle-timeout', '0', '--customers', '3', '--skus', '1', '--payment-url', 'https://pay']);
    expect(parsed).toMatchObject({ out: '/tmp/here/x/y', settleTimeoutS: 0, customers: 3, skus: 1, paymentUrl: 'https://pay' });
  });

  it('answers --help', () => {
    expect(parse(['--help'])).toEqual({ help: true });
  });

  it('says what is missing or wrong, naming the flag', () => {
    expect(usageError([])).toBe('--rate is required\n--duration is required');
    expect(usageError(['--rate', 'fast', '--duration', '1'])).toBe('--rate must be a number');
    expect(usageError(['--rate=-1', '--duration', '1'])).toBe('--rate must be above 0');
    expect(usageError(['--rate', '-1', '--duration', '1'])).toMatch(/--rate=-XYZ/); // node's own advice
    expect(usageError(['--rate', '1', '--duration', '1', '--customers', '2.5'])).toBe('--customers must be a whole number');
    expect(usageError(['--rate', '1', '--duration', '1', '--skus', '0'])).toBe('--skus must be at least 1');
    expect(usageError(['--rate', '0.1', '--duration', '1'])).toBe('--rate × --duration must come to at least one order');
    expect(usageError(['--rate', '1', '--duration', '1'], { ORDERS_URL: 'localhost:3001' })).toBe('--orders-url (or ORDERS_URL) must be an http(s) URL');
    expect(usageError(['--rate', '1', '--duration', '1', '--speed', '3'])).toMatch(/speed/);
    expect(usageError(['--rate', '1', '--duration', '1', 'extra'])).toMatch(/extra/);
  });
});
