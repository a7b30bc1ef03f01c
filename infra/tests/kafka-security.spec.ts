/**
 * A real service on a broker with SASL and the shop's ACLs (infra/kafka KAFKA_SECURITY=sasl): the
 * payment service, logged in as its own principal, creates its topics, joins its group, charges an
 * order and publishes through its transactional relay; what the ACLs let it do is enough to work.
 * A stranger's record on payment's own topic (written as another service) is refused by the broker.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeEvent, topics, type EventData } from '@webshop/events';
import { applyShopAcls, connectProducer, createQuietKafka, encodeRecord, ensureTopics, startReader } from '@webshop/kafka';
import { dropServiceDatabase, ensureServiceDatabase } from '@webshop/postgres';
import { createDedicatedBroker, freePort, operatorHeaders, startServiceProcess, uniqueName, waitFor, type DedicatedBroker, type ServiceProcess } from '@webshop/testing';

describe('a service on a broker with SASL and ACLs', () => {
  const name = uniqueName('sasl').replace(/-/g, '_');
  const prefix = `${name.replace(/_/g, '-')}.`;
  const server = process.env['DATABASE_URL']!;
  let broker: DedicatedBroker;
  let payment: ServiceProcess | undefined;
  let logDir: string;
  const as = (principal: string) => createQuietKafka({ clientId: `sasl-${principal}`, brokers: broker.brokers, credentials: broker.credentials(principal) });

  beforeAll(async () => {
    logDir = mkdtempSync(path.join(os.tmpdir(), 'sasl-'));
    broker = await createDedicatedBroker({ security: 'sasl' });
    await broker.start();
    await applyShopAcls(as('admin'), prefix);
    const database = await ensureServiceDatabase(server, `${name}_payment`);
    const { username, password } = broker.credentials('payment')!;
    payment = await startServiceProcess({
      name: 'payment',
      port: await freePort(),
      logFile: path.join(logDir, 'payment.log'),
      env: { KAFKA_BROKERS: broker.brokers.join(','), KAFKA_USERNAME: username, KAFKA_PASSWORD: password, DATABASE_URL: database.url, TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' },
      readyTimeoutMs: 180_000,
    });
  }, 300_000);
  afterAll(async () => {
    await payment?.stop('SIGTERM').catch(() => undefined);
    await broker?.destroy();
    await dropServiceDatabase(server, `${name}_payment`).catch(() => undefined);
    if (logDir) rmSync(logDir, { recursive: true, force: true });
  }, 120_000);

  it('charges an order as its own principal: consumes orders in its group, publishes to payments', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const deposit = await fetch(`${payment!.url}/accounts/${customerId}/deposits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...operatorHeaders() },
      body: JSON.stringify({ amountCents: 5_000 }),
    });
    expect(deposit.status).toBeLessThan(300);

    const orderId = randomUUID();
    const purchase: EventData<'PurchaseRequested'> = {
      orderId,
      customerId,
      email: 'ada@example.com',
      items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
      totalCents: 900,
      shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
      requestedAt: new Date().toISOString(),
    };
    const orders = await connectProducer(as('orders'));
    try {
      await orders.send(`${prefix}${topics.orders.name}`, [encodeRecord({ type: 'PurchaseRequested', data: purchase }, 'orders')]);
    } finally {
      await orders.disconnect();
    }

    const seen: string[] = [];
    const reader = await startReader(as('admin'), { groupId: `${prefix}check`, topics: [`${prefix}${topics.payments.name}`] }, (record) => {
      const event = decodeEvent(record.value!);
      if ((event.data as { orderId?: string }).orderId === orderId) seen.push(event.type);
    });
    try {
      await waitFor(() => seen.length > 0, { timeoutMs: 60_000, description: 'PaymentProcessed on payments' });
    } finally {
      await reader.stop();
    }
    expect(seen).toEqual(['PaymentProcessed']);
  }, 120_000);

  it('refuses a record on payments from any principal but payment’s', async () => {
    await ensureTopics(as('admin'), [`${prefix}${topics.payments.name}`], 3);
    const stock = await connectProducer(as('stock'));
    try {
      const forged = encodeRecord({ type: 'PaymentProcessed', data: { orderId: randomUUID(), paymentId: randomUUID(), customerId: 'mallory', amountCents: 1, processedAt: new Date().toISOString() } }, 'payment');
      await expect(stock.send(`${prefix}${topics.payments.name}`, [forged])).rejects.toThrow(/authoriz/i);
    } finally {
      await stock.disconnect();
    }
  }, 60_000);
});
