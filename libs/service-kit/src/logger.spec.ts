import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, stream };
}

describe('the service logger', () => {
  it('writes one JSON object a line with level, time, service, message and fields', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'orders' }, 'info', stream);
    logger.child({ correlationId: 'order-1' }).warn('payment slow', { attempt: 2, err: new Error('timeout') });
    logger.debug('not shown at info');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', service: 'orders', correlationId: 'order-1', msg: 'payment slow', attempt: 2 });
    expect(lines[0]!['err']).toMatchObject({ type: 'Error', message: 'timeout' });
    expect(new Date(lines[0]!['time'] as string).toISOString()).toBe(lines[0]!['time']);
  });
});

describe('credentials in log fields', () => {
  it('are redacted: an authorization header, the operator tokens, a token or password, at any depth pino is told of', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'payment' }, 'info', stream);
    logger.info('a request', { req: { method: 'POST', headers: { authorization: 'Bearer sekrit-token-1234567890', accept: 'application/json' } } });
    logger.info('configured', { config: { ADMIN_TOKENS: ['sekrit-token-1234567890'], PORT: 3002 }, authorization: 'Bearer sekrit-token-1234567890' });
    logger.child({ token: 'sekrit-token-1234567890' }).warn('child', { options: { password: 'sekrit-token-1234567890' } });
    expect(JSON.stringify(lines)).not.toContain('sekrit');
    expect(lines[0]).toMatchObject({ req: { method: 'POST', headers: { authorization: '[redacted]', accept: 'application/json' } } });
    expect(lines[1]).toMatchObject({ config: { ADMIN_TOKENS: '[redacted]', PORT: 3002 }, authorization: '[redacted]' });
    expect(lines[2]).toMatchObject({ token: '[redacted]', options: { password: '[redacted]' } });
  });
});
