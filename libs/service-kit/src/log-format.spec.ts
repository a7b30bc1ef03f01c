import { formatLogLine } from './log-format';
import { createLogger } from './logger';

/** Lines as the service logger writes them. */
function written(write: (logger: ReturnType<typeof createLogger>) => void): string[] {
  const text: string[] = [];
  write(createLogger({ service: 'email' }, 'info', { write: (line: string) => void text.push(line.trimEnd()) }));
  return text;
}

describe('a log line on the console', () => {
  it('shows time, level, message and the order, not the JSON', () => {
    const [line] = written((log) => log.info('email sent', { emailId: 'e-1', orderId: '736db1bd-a74a-46f1-9ae9-b20d1150864d', template: 'order-confirmed' }));
    const time = new Date(JSON.parse(line!).time as string);
    const hhmmss = [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    expect(formatLogLine(line!)).toBe(`[${hhmmss}.${String(time.getMilliseconds()).padStart(3, '0')}] INFO: email sent · order 736db1bd-a74a-46f1-9ae9-b20d1150864d`);
  });

  it("names an event's correlation id (a product's sku), and on a warning or an error what went wrong", () => {
    const lines = written((log) => {
      log.warn('applying a record failed; retrying', { correlationId: 'TEA-EARLGREY', traceId: '4bf9', err: 'connection refused' });
      log.error('unhandled error in request', { err: new Error('boom') });
      log.info('listening', { port: 3005, err: 'not shown at info' });
    });
    expect(lines.map((l) => formatLogLine(l).replace(/^\[[\d:.]+\] /, ''))).toEqual([
      'WARN: applying a record failed; retrying · sku TEA-EARLGREY · connection refused',
      'ERROR: unhandled error in request · boom',
      'INFO: listening',
    ]);
  });

  it('keeps a line that is not JSON as it is (a stack on stderr)', () => {
    expect(formatLogLine('    at main (apps/orders/src/main.ts:12:3)')).toBe('    at main (apps/orders/src/main.ts:12:3)');
  });
});
