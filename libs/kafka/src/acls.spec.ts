/**
 * The broker enforces the topic registry: against a real broker with SASL (SCRAM-SHA-512) and the
 * ACLs derived from the registry, each service's principal may write only the topics it is the
 * writer of (and its own dead-letter topics), read only the topics it consumes, in its own group
 * only; a stranger without a login, or with a wrong password, gets nothing.
 */
import { randomUUID } from 'node:crypto';
import { topics } from '@webshop/events';
import { createDedicatedBroker, type DedicatedBroker } from './testing';
import { waitFor } from '@webshop/testing-core';
import { shopAcls, applyShopAcls } from './acls';
import { connectProducer, createAdmin, createQuietKafka, startReader } from './client';
import { ensureTopics, type KafkaClient } from './kafka-client';

describe('the ACLs derived from the topic registry', () => {
  const of = (principal: string) => shopAcls('p.').filter((acl) => acl.principal === principal);
  const names = (principal: string, resource: string, operation: string) =>
    of(principal)
      .filter((acl) => acl.resource === resource && acl.operation === operation)
      .map((acl) => acl.name)
      .sort();

  it('let each service write only the topics it is the writer of, and its own dead-letter topics', () => {
    expect(names('stock', 'topic', 'write')).toEqual(['p.orders.dlq.stock', 'p.products', 'p.stock']);
    expect(names('payment', 'topic', 'write')).toEqual(['p.orders.dlq.payment', 'p.payments']);
    for (const topic of Object.values(topics)) {
      const writers = shopAcls('p.').filter((acl) => acl.name === `p.${topic.name}` && acl.operation === 'write');
      expect(writers.map((acl) => acl.principal)).toEqual([topic.writer]);
    }
  });

  it('let each service read the topics the registry lists it as a reader of, in its own group', () => {
    expect(names('email', 'topic', 'read')).toEqual(['p.orders', 'p.shipments']);
    expect(names('orders', 'topic', 'read')).toEqual(['p.emails', 'p.orders', 'p.payments', 'p.products', 'p.shipments', 'p.stock']);
    expect(names('payment', 'group', 'read')).toEqual(['p.payment', 'p.payment.replay.']);
    // its own group by its literal name, its replays' throw-away groups by their prefix, nothing else
    expect(of('payment').filter((acl) => acl.resource === 'group').map((acl) => [acl.name, acl.prefixed ?? false, acl.operation])).toEqual(
      expect.arrayContaining([['p.payment', false, 'read'], ['p.payment.replay.', true, 'read'], ['p.payment.replay.', true, 'delete']]),
    );
    expect(of('payment').filter((acl) => acl.prefixed).every((acl) => acl.resource === 'group' && acl.name === 'p.payment.replay.')).toBe(true);
    expect(names('payment', 'transactional-id', 'write')).toEqual(['p.payment.outbox-relay']);
    expect(names('web', 'topic', 'write')).toEqual([]);
    expect(names('web', 'group', 'read')).toEqual(['p.web']);
  });
});

describe('a broker with SASL and the shop ACLs', () => {
  let broker: DedicatedBroker;
  let admin: KafkaClient;
  const prefix = `acl${randomUUID().slice(0, 6)}.`;
  const as = (principal: string, password?: string) =>
    createQuietKafka({ clientId: `acl-${principal}`, brokers: broker.brokers, credentials: { ...broker.credentials(principal)!, ...(password ? { password } : {}) } });
  const record = () => [{ key: 'k', value: randomUUID() }];
  /** Why the broker stopped `principal` reading `topic` in `groupId` (the reader gives up on a refusal). */
  async function readRefused(principal: string, groupId: string, topic: string): Promise<string> {
    const refusals: string[] = [];
    const reader = await startReader(as(principal), { groupId, topics: [topic], onGiveUp: (error) => void refusals.push(error.message) }, () => undefined).catch(
      (error: Error) => (refusals.push(error.message), undefined),
    );
    try {
      await waitFor(() => refusals.length > 0, { timeoutMs: 30_000, description: `${principal} refused ${topic} in ${groupId}` });
    } finally {
      await reader?.stop().catch(() => undefined);
    }
    return refusals[0]!;
  }

  beforeAll(async () => {
    broker = await createDedicatedBroker({ security: 'sasl' });
    await broker.start();
    admin = as('admin');
    await ensureTopics(
      admin,
      Object.values(topics).map((t) => prefix + t.name),
      1,
    );
    await applyShopAcls(admin, prefix);
    // A fresh broker makes its group coordinator (the offsets topic) on the first group's request:
    // the operator's reader has it made, so that every refusal below is the ACLs' and nothing else's.
    const warm = await connectProducer(admin);
    await warm.send(`${prefix}products`, record());
    await warm.disconnect();
    let seen = false;
    const reader = await startReader(admin, { groupId: `${prefix}warm-up`, topics: [`${prefix}products`] }, () => void (seen = true));
    await waitFor(() => seen, { timeoutMs: 60_000, description: 'the group coordinator up' });
    await reader.stop();
  }, 240_000);
  afterAll(() => broker?.destroy(), 120_000);

  it('takes a write from the topic’s writer and refuses it from any other service', async () => {
    const payment = await connectProducer(as('payment'));
    try {
      await payment.send(`${prefix}payments`, record());
      await expect(payment.send(`${prefix}orders`, record())).rejects.toThrow(/authoriz/i);
    } finally {
      await payment.disconnect();
    }
  }, 60_000);

  it('refuses a read of a topic the service does not consume, and another service’s group', async () => {
    // payment consumes orders, not stock; and orders only in its own group
    expect(await readRefused('payment', `${prefix}payment`, `${prefix}stock`)).toMatch(/authoriz/i);
    // (a group refused is, in kafkajs' words, a coordinator it cannot find: the broker denied FindCoordinator)
    expect(await readRefused('payment', `${prefix}orders`, `${prefix}orders`)).toMatch(/find group coordinator/i);

    const read: string[] = [];
    const writer = await connectProducer(as('orders'));
    const sent = record();
    await writer.send(`${prefix}orders`, sent);
    await writer.disconnect();
    const reader = await startReader(as('payment'), { groupId: `${prefix}payment`, topics: [`${prefix}orders`] }, (r) => void read.push(String(r.value)));
    try {
      await waitFor(() => read.includes(sent[0]!.value), { timeoutMs: 30_000, description: 'payment reading orders in its own group' });
    } finally {
      await reader.stop();
    }

    // a replay's throw-away group: any name under its own service's replay prefix, never another's
    expect(await readRefused('payment', `${prefix}stock.replay.1`, `${prefix}orders`)).toMatch(/find group coordinator/i);
    read.length = 0;
    const replay = await startReader(as('payment'), { groupId: `${prefix}payment.replay.${randomUUID()}`, topics: [`${prefix}orders`] }, (r) => void read.push(String(r.value)));
    try {
      await waitFor(() => read.includes(sent[0]!.value), { timeoutMs: 30_000, description: 'payment reading orders in a replay group of its own' });
    } finally {
      await replay.stop();
    }
  }, 120_000);

  it('lets no one in without the right password, and the web front end only read', async () => {
    const stranger = createAdmin(as('payment', 'not-the-password'));
    await expect(stranger.connect()).rejects.toThrow(/authentication failed/i);
    const plain = createAdmin(createQuietKafka({ clientId: 'no-login', brokers: broker.brokers }));
    await expect(Promise.race([plain.connect().then(() => plain.listTopics()), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer without a login')), 20_000))])).rejects.toThrow();
    await plain.disconnect().catch(() => undefined);

    // The web front end may write nothing: not even an idempotent producer id, nor a plain record.
    await expect(connectProducer(as('web'))).rejects.toThrow(/authoriz/i);
    const web = await connectProducer(as('web'), { idempotent: false });
    try {
      await expect(web.send(`${prefix}orders`, record())).rejects.toThrow(/authoriz/i);
    } finally {
      await web.disconnect();
    }
  }, 60_000);
});
