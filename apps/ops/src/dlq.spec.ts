/**
 * The dead-letter tool against the real broker: a test's own topics (a prefix), dead letters as a
 * consumer writes them (one event whose handler refused it, one value no schema reads), then list,
 * show and replay, through the functions and once through the CLI as a process. The replay is fed
 * to a real consumer runner with its inbox in a real database: applied once, however often replayed.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EventData } from '@webshop/events';
import { connectProducer, createConsumerRunner, deadLetterMessage, encodeRecord, ensureTopics, messagingMigrations, type ConsumerRunner, type Outcome } from '@webshop/kafka';
import { migrate } from '@webshop/postgres';
import { createTestDatabase, testKafka, testKafkaAccess, uniqueName, waitFor, type TestDatabase } from '@webshop/testing';
import { formatDeadLetter, parseDlqArgs, runDlq, UsageError } from './dlq';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

const purchase = (orderId: string): EventData<'PurchaseRequested'> => ({
  orderId,
  customerId: 'ada',
  email: 'ada@example.com',
  items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
  totalCents: 900,
  shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  requestedAt: new Date().toISOString(),
});

describe('npm run dlq', () => {
  const prefix = `${uniqueName('dlq').replace(/_/g, '-')}.`;
  const source = `${prefix}orders`;
  const dlq = `${prefix}orders.dlq.payment`;
  // The tool logs in as the operator, as it would on the local broker.
  const env = { ...testKafkaAccess().env('admin'), TOPIC_PREFIX: prefix };
  const kafka = testKafka('dlq-test');
  const orderId = randomUUID();
  const eventId = randomUUID();
  const output = async (argv: string[]) => {
    const lines: string[] = [];
    await runDlq(parseDlqArgs(argv), env, (line) => lines.push(line));
    return lines;
  };

  beforeAll(async () => {
    await ensureTopics(kafka, [source, dlq], 1);
    const record = encodeRecord({ type: 'PurchaseRequested', data: purchase(orderId), eventId }, 'orders');
    const letters = [
      deadLetterMessage({ topic: source, partition: 0, message: { offset: '7', key: Buffer.from(record.key), value: record.value, headers: record.headers } as never }, 'payment', 'unknown_order', 'payment never saw it'),
      deadLetterMessage({ topic: source, partition: 0, message: { offset: '8', key: Buffer.from('k'), value: Buffer.from('not avro at all'), headers: {} } as never }, 'payment', 'bad_magic', 'not Avro'),
    ];
    const producer = await connectProducer(kafka);
    await producer.send(dlq, letters);
    await producer.disconnect();
  });

  it('lists the dead-letter topics with their counts', async () => {
    expect(await output(['list'])).toEqual([`${dlq}  2 records`]);
    expect(JSON.parse((await output(['list', '--json']))[0]!)).toEqual([{ topic: dlq, records: 2 }]);
  });

  it('shows each record decoded where it can be: the event, or why its value is unreadable', async () => {
    const [letters] = await output(['show', dlq, '--json']);
    const [event, garbage] = JSON.parse(letters!);
    expect(event).toMatchObject({
      partition: 0,
      offset: '0',
      key: orderId,
      reason: 'unknown_order',
      error: 'payment never saw it',
      consumer: 'payment',
      source: { topic: source, partition: 0, offset: '7' },
      event: { type: 'PurchaseRequested', version: 1, data: { orderId, totalCents: 900 } },
      undecodable: null,
    });
    expect(event.headers['event-id']).toBe(eventId);
    expect(Object.keys(event.headers).filter((h: string) => h.startsWith('dlq-'))).toEqual([]);
    expect(garbage).toMatchObject({ offset: '1', reason: 'bad_magic', event: null, undecodable: { reason: 'bad_magic', head: Buffer.from('not avro at all').toString('hex') } });

    const text = await output(['show', dlq, '--offset', '1']);
    expect(text).toHaveLength(1);
    expect(text[0]).toContain('0/1  bad_magic  consumer payment');
    expect(text[0]).toContain('undecodable (bad_magic');
    expect(formatDeadLetter(event)).toContain(`event  PurchaseRequested v1 {"orderId":"${orderId}"`);
  });

  describe('replay, into a consumer with its inbox', () => {
    let db: TestDatabase;
    let runner: ConsumerRunner;
    const outcomes: Outcome[] = [];

    beforeAll(async () => {
      db = await createTestDatabase('dlq');
      await migrate(db.pool, [...messagingMigrations, { id: '100_charged', sql: 'CREATE TABLE charged (order_id uuid NOT NULL)' }]);
      runner = createConsumerRunner({
        kafka,
        pool: db.pool,
        service: 'payment',
        topics: [{ name: 'orders' }],
        topicPrefix: prefix,
        handlers: { PurchaseRequested: async (event, tx) => void (await tx.query('INSERT INTO charged (order_id) VALUES ($1)', [event.data.orderId])) },
        onOutcome: (outcome) => void outcomes.push(outcome),
      });
      await runner.start();
    });
    afterAll(async () => {
      await runner?.stop();
      await db?.drop();
    });

    it('writes the record back to its topic as first written; replayed twice, it is applied once', async () => {
      const [first] = await output(['replay', dlq, '--offset', '0']);
      expect(first).toMatch(new RegExp(`^replayed 0/0 → ${source.replace(/\./g, '\\.')} 0/\\d+$`));
      await waitFor(() => outcomes.length === 1, { timeoutMs: 30_000, description: 'the replayed event applied' });
      await output(['replay', dlq, '--offset', '0']);
      await waitFor(() => outcomes.length === 2, { timeoutMs: 30_000, description: 'the second replay handled' });
      expect(outcomes).toEqual(['applied', 'duplicate']);
      const { rows } = await db.pool.query('SELECT order_id FROM charged');
      expect(rows).toEqual([{ order_id: orderId }]);
    });
  });

  it('runs as a command: answers the list, and a usage error with exit code 2', async () => {
    const cli = ['--import', 'tsx', 'apps/ops/src/dlq-cli.ts'];
    const options = { cwd: root, env: { ...process.env, ...env, TSX_TSCONFIG_PATH: 'tsconfig.base.json' } };
    const { stdout } = await run(process.execPath, [...cli, 'list'], options);
    expect(stdout.trim()).toBe(`${dlq}  2 records`);
    await expect(run(process.execPath, [...cli, 'show'], options)).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('show needs a dead-letter topic') });
  });

  it('refuses arguments no sane operator means, naming them', () => {
    expect(() => parseDlqArgs([])).toThrow(UsageError);
    expect(() => parseDlqArgs(['purge'])).toThrow('unknown action "purge"');
    expect(() => parseDlqArgs(['show', 'a', 'b'])).toThrow('one topic at a time');
    expect(() => parseDlqArgs(['replay', 't', '--offset', '-1'])).toThrow('--offset takes a record offset');
    expect(() => parseDlqArgs(['replay', 't', '--offset'])).toThrow('--offset needs a value');
    expect(() => parseDlqArgs(['show', 't', '--force'])).toThrow('unknown option --force');
    expect(parseDlqArgs(['replay', 't', '--offset', '12', '--partition', '2'])).toEqual({ action: 'replay', topic: 't', offset: '12', partition: 2, json: false });
  });
});
