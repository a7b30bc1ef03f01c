import { Writable } from 'node:stream';
import { createAdmin, createKafka, withEventLogFields } from '@webshop/kafka';
import { duplicateKeys, freePort } from '@webshop/testing-core';
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

describe('lines logged while an event is handled', () => {
  it("carry the event's correlation id, trace id, id and type, once each, a call's own field winning", async () => {
    const raw: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        raw.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ service: 'payment' }, 'info', stream);
    const event = { correlationId: 'order-7', traceId: '0af7651916cd43dd8448eb211c80319c', eventId: 'e-1', eventType: 'PurchaseRequested' };
    await withEventLogFields(event, async () => {
      await new Promise((resolve) => setImmediate(resolve)); // across an await, as in a handler
      logger.info('payment recorded', { paymentId: 'p-1' });
      logger.child({ correlationId: 'bound' }).info('bound wins over the event');
      logger.info('the call wins', { eventType: 'Other' });
    });
    await withEventLogFields({ correlationId: 'order-8', traceId: null, eventId: null, eventType: null }, async () => logger.info('some headers missing'));
    logger.info('no event in hand');

    expect(raw.flatMap(duplicateKeys)).toEqual([]);
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ ...event, service: 'payment', paymentId: 'p-1', msg: 'payment recorded' });
    expect(lines[1]).toMatchObject({ correlationId: 'bound', traceId: event.traceId });
    expect(lines[2]).toMatchObject({ correlationId: 'order-7', eventType: 'Other' });
    expect(Object.keys(lines[3]!)).toEqual(['level', 'time', 'service', 'correlationId', 'msg']);
    expect(Object.keys(lines[4]!)).toEqual(['level', 'time', 'service', 'msg']);
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

describe('one key once in a line', () => {
  it('a field given again (by the base, a child, the call) is written once, the most specific winning; pino\'s own names are kept aside', () => {
    const text: string[] = [];
    const logger = createLogger({ service: 'orders' }, 'info', { write: (line: string) => void text.push(line) });
    logger.child({ correlationId: 'order-1', traceId: 'a' }).child({ traceId: 'b' }).info('relay', { service: 'orders', correlationId: 'order-1', time: 'then', msg: 'x' });
    expect(text.map(duplicateKeys)).toEqual([[]]);
    expect(JSON.parse(text[0]!)).toMatchObject({ service: 'orders', correlationId: 'order-1', traceId: 'b', msg: 'relay', timeField: 'then', msgField: 'x' });
  });

  it("kafkajs' own lines (a broker that cannot be reached) keep their level, with no key twice and no kafkajs timestamp", async () => {
    const text: string[] = [];
    const logger = createLogger({ service: 'orders' }, 'debug', { write: (line: string) => void text.push(line) });
    const admin = createAdmin(createKafka({ clientId: 'orders', brokers: [`127.0.0.1:${await freePort()}`], logger }));
    await expect(admin.connect()).rejects.toThrow();
    expect(text.length).toBeGreaterThan(0);
    for (const line of text) expect([line, duplicateKeys(line)]).toEqual([line, []]);
    const lines = text.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((l) => String(l['msg']).startsWith('Connection error'))).toMatchObject({ level: 'error', service: 'orders', source: 'kafkajs', namespace: 'Connection' });
    expect(lines.filter((l) => 'timestamp' in l || 'logger' in l || 'correlationId' in l)).toEqual([]);
  }, 30_000);
});
