/**
 * `npm run rebuild -- shipping` end to end: the real shipping service as a process (from source,
 * as `npm start` runs it) reads purchases from a test's own topics into its own database; then,
 * stopped, its read model is rebuilt by the command from the topics and compared with the view it
 * replaced: identical, then, after the view is tampered with, repaired and the old one kept aside.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { EventData } from '@webshop/events';
import { connectProducer, createAdmin, encodeRecord, ensureTopics } from '@webshop/kafka';
import { createPool, dropServiceDatabase, ensureServiceDatabase, type Pool } from '@webshop/postgres';
import { freePort, startServiceProcess, testKafka, testKafkaAccess, uniqueName, waitFor } from '@webshop/testing';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

const purchase = (orderId: string, city: string): EventData<'PurchaseRequested'> => ({
  orderId,
  customerId: 'ada',
  email: 'ada@example.com',
  items: [{ sku: 'TEA-1', quantity: 1, unitPriceCents: 450 }],
  totalCents: 450,
  shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city, postalCode: 'SW1Y 4JH', country: 'GB' },
  requestedAt: new Date().toISOString(),
});

describe('npm run rebuild -- <service>', () => {
  const name = uniqueName('rebuild').replace(/-/g, '_');
  const databasePrefix = `${name}_`;
  const topicPrefix = `${name.replace(/_/g, '-')}.`;
  const server = process.env['DATABASE_URL']!;
  // As on the local broker: the tool finds shipping's login in the passwords file (KAFKA_CREDENTIALS).
  const access = testKafkaAccess();
  const env = { ...process.env, KAFKA_BROKERS: access.brokers.join(','), DATABASE_URL: server, DATABASE_PREFIX: databasePrefix, TOPIC_PREFIX: topicPrefix, LOG_LEVEL: 'warn' };
  const orders = Array.from({ length: 8 }, (_, i) => ({ orderId: randomUUID(), city: `City ${i}` }));
  let pool: Pool;
  let logDir: string;
  let revokeAcls = async (): Promise<void> => undefined;
  const rebuild = (service: string) =>
    run(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', 'tsconfig.base.json', 'infra/local/rebuild.ts', service], { cwd: root, env, timeout: 120_000 }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  const addresses = async () => (await pool.query("SELECT order_id, address->>'city' AS city FROM order_addresses ORDER BY order_id")).rows;

  beforeAll(async () => {
    logDir = mkdtempSync(path.join(os.tmpdir(), 'rebuild-'));
    // Shipping's own role owns its database, as npm start makes it; the rebuild runs as that role too.
    const shippingDatabase = await ensureServiceDatabase(server, `${databasePrefix}shipping`);
    pool = createPool(shippingDatabase.url, { max: 2 });
    revokeAcls = await access.grantShop(topicPrefix);
    const kafka = testKafka('rebuild-test');
    await ensureTopics(kafka, [`${topicPrefix}orders`], 3);
    const producer = await connectProducer(kafka);
    await producer.send(
      `${topicPrefix}orders`,
      orders.map(({ orderId, city }) => encodeRecord({ type: 'PurchaseRequested', data: purchase(orderId, city) }, 'orders')),
    );
    await producer.disconnect();
    // The live view, as shipping builds it while it runs; then shipping stops.
    const shipping = await startServiceProcess({
      name: 'shipping',
      port: await freePort(),
      logFile: path.join(logDir, 'shipping.log'),
      kafka: access,
      env: { DATABASE_URL: shippingDatabase.url, TOPIC_PREFIX: topicPrefix, LOG_LEVEL: 'warn' },
      readyTimeoutMs: 120_000,
    });
    try {
      await waitFor(async () => (await addresses()).length === orders.length, { timeoutMs: 60_000, description: 'shipping read every purchase' });
    } finally {
      expect(await shipping.stop('SIGTERM')).toBe(0);
    }
    // A stopped service leaves its group; one whose stop was cut short (a loaded machine) is
    // dropped once its session runs out, and the rebuild refuses until then.
    const admin = createAdmin(kafka);
    await admin.connect();
    try {
      await waitFor(async () => ((await admin.describeGroups([`${topicPrefix}shipping`])).groups[0]?.members.length ?? 0) === 0, {
        timeoutMs: 30_000,
        description: 'shipping out of its consumer group',
      });
    } finally {
      await admin.disconnect();
    }
  }, 240_000);
  afterAll(async () => {
    await pool?.end();
    await revokeAcls();
    await dropServiceDatabase(server, `${databasePrefix}shipping`).catch(() => undefined);
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  });

  it('rebuilds the stopped service’s view from the topics and says it is the one it replaced (exit 0)', async () => {
    const before = await addresses();
    const { code, stdout, stderr } = await rebuild('shipping');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('order_addresses: 8 rows before, 8 after: identical');
    expect(stdout).toContain('the rebuilt view is the view it replaced');
    expect(await addresses()).toEqual(before);
  }, 180_000);

  it('repairs a view that drifted, says what differed and where the old one is kept (exit 3)', async () => {
    await pool.query(`UPDATE order_addresses SET address = jsonb_set(address, '{city}', '"Nowhere"') WHERE order_id = $1`, [orders[0]!.orderId]);
    const { code, stdout } = await rebuild('shipping');
    expect(code).toBe(3);
    expect(stdout).toContain('order_addresses: 8 rows before, 8 after: 1 rows of the old view missing, 1 new rows');
    const schema = /kept in schema (\S+)/.exec(stdout)![1]!;
    // Kept aside by shipping's own role (the rebuild runs as it), so shipping's role reads it, as here, and may drop it.
    expect((await pool.query('SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1', [schema])).rows).toEqual([{ tableowner: `${databasePrefix}shipping` }]);
    expect((await pool.query(`SELECT address->>'city' AS city FROM "${schema}".order_addresses WHERE order_id = $1`, [orders[0]!.orderId])).rows).toEqual([{ city: 'Nowhere' }]);
    expect((await addresses()).find((a) => a.order_id === orders[0]!.orderId)).toEqual({ order_id: orders[0]!.orderId, city: 'City 0' });
  }, 180_000);

  it('refuses a service with no read model, and a name that is no service', async () => {
    expect(await rebuild('payment')).toMatchObject({ code: 1, stderr: expect.stringContaining('payment keeps no read model') });
    expect(await rebuild('warehouse')).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run rebuild -- <service>') });
  }, 180_000);
});
