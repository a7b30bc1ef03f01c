/**
 * The email service end to end: real Kafka, real Postgres, a real SMTP server (the mail catcher),
 * its real HTTP API. Events are fed to the orders and shipments topics as their writers publish them;
 * EmailSent is read back from the emails topic.
 */
import { randomUUID } from 'node:crypto';
import type { EventOf } from '@webshop/events';
import { messagingMigrations, replayTopics } from '@webshop/kafka';
import { migrate } from '@webshop/postgres';
import { consumedTopics, emailEventHandlers } from './adapters/kafka/handlers';
import { migrations, projectionTables } from './adapters/pg/migrations';
import { emailService } from './service';
import { createTestDatabase, scrapeMetrics, startMailCatcher, uniqueName, waitFor, type MailCatcher, startServiceHarness, type ServiceHarness } from '@webshop/testing';

const now = () => new Date().toISOString();
const newCustomer = () => `${uniqueName('customer')}@example.com`;

const requested = (orderId: string, email: string): EventOf<'PurchaseRequested'> => ({
  type: 'PurchaseRequested',
  data: {
    orderId,
    customerId: 'ada',
    email,
    items: [{ sku: 'TEA-1', quantity: 2, unitPriceCents: 450 }],
    totalCents: 900,
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    requestedAt: now(),
  },
});
const confirmed = (orderId: string): EventOf<'OrderConfirmed'> => ({ type: 'OrderConfirmed', data: { orderId, paymentId: randomUUID(), confirmedAt: now() } });
const rejected = (orderId: string): EventOf<'OrderRejected'> => ({
  type: 'OrderRejected',
  data: { orderId, reason: 'OUT_OF_STOCK', detail: 'TEA-1: requested 2, available 1', rejectedAt: now() },
});
const cancelled = (orderId: string): EventOf<'OrderCancelled'> => ({ type: 'OrderCancelled', data: { orderId, reason: 'changed my mind', cancelledAt: now() } });
const dispatched = (orderId: string, trackingNumber: string): EventOf<'ShipmentDispatched'> => ({
  type: 'ShipmentDispatched',
  data: { orderId, shipmentId: randomUUID(), trackingNumber, at: now() },
});

describe('email', () => {
  let mail: MailCatcher;
  let shop: ServiceHarness;

  beforeAll(async () => {
    mail = await startMailCatcher();
    shop = await startServiceHarness(emailService, { label: 'email', reads: ['emails'], env: { SMTP_URL: mail.url, MAIL_FROM: 'Webshop <shop@example.com>' } });
  });
  afterAll(async () => {
    await shop?.stop();
    await mail?.stop();
  });

  const mailsTo = (to: string) => mail.messages.filter((m) => m.to === to);
  /** waitFor, and on a time-out the service's last warnings and errors with it: what it was doing meanwhile. */
  async function waitWithLog<T>(condition: () => T | false | Promise<T | false>, options: { timeoutMs?: number; description: string }): Promise<T> {
    try {
      return await waitFor(condition, options);
    } catch (error) {
      const lines = shop.logs.filter((line) => line['level'] === 'warn' || line['level'] === 'error').slice(-15);
      throw new Error(`${(error as Error).message}\nthe service's last warnings and errors:\n${lines.map((l) => JSON.stringify(l)).join('\n') || '(none)'}`);
    }
  }
  const waitForMails = (to: string, count: number) =>
    waitWithLog(() => mailsTo(to).length >= count && mailsTo(to), { timeoutMs: 30_000, description: `${count} mails to ${to}` });
  const about = (orderId: string) => (data: { orderId: string }) => data.orderId === orderId;

  async function emailRows(orderId: string) {
    const { rows } = await shop.db.pool.query<{ template: string; status: string; attempts: number; last_error: string | null }>(
      'SELECT template, status, attempts, last_error FROM emails WHERE order_id = $1 ORDER BY created_at',
      [orderId],
    );
    return rows;
  }

  it('sends one confirmation over SMTP when the order is confirmed, reports it with EmailSent, and lists it', async () => {
    const orderId = randomUUID();
    const to = newCustomer();
    const [, confirmedId] = await shop.publish([requested(orderId, to), confirmed(orderId)]);

    const [message] = await waitForMails(to, 1);
    expect(message).toMatchObject({ to, from: 'shop@example.com', subject: `Your order ${orderId.slice(0, 8)} is confirmed` });
    expect(message!.text).toContain('Hello Ada Lovelace,');
    expect(message!.text).toContain('2 × TEA-1 at 4.50 = 9.00');

    const [sent] = await shop.waitForPublished('EmailSent', about(orderId));
    expect(sent).toMatchObject({ key: orderId, causationId: confirmedId, data: { orderId, to, template: 'ORDER_CONFIRMED' } });
    expect(message!.messageId).toBe(`<${sent!.data.emailId}@webshop>`);

    const listed = [{ emailId: sent!.data.emailId, orderId, to, template: 'ORDER_CONFIRMED', subject: message!.subject, sentAt: sent!.data.sentAt }];
    expect(await shop.api(`/emails?orderId=${orderId}`)).toMatchObject({ status: 200, body: listed });
    expect((await shop.api(`/emails?to=${encodeURIComponent(to.toUpperCase())}`)).body).toEqual(listed);
    expect((await shop.api(`/emails?orderId=${orderId}&to=someone-else@example.com`)).body).toEqual([]);
  });

  it('writes about a rejection with its reason, a cancellation, and a dispatch with its tracking number', async () => {
    const [rejectedOrder, cancelledOrder, shippedOrder] = [randomUUID(), randomUUID(), randomUUID()];
    const [rejectedTo, cancelledTo, shippedTo] = [newCustomer(), newCustomer(), newCustomer()];
    await shop.publish([
      requested(rejectedOrder, rejectedTo),
      rejected(rejectedOrder),
      requested(cancelledOrder, cancelledTo),
      confirmed(cancelledOrder),
      cancelled(cancelledOrder),
      requested(shippedOrder, shippedTo),
      confirmed(shippedOrder),
    ]);
    await waitForMails(shippedTo, 1);
    await shop.publish([dispatched(shippedOrder, 'TRK-AB12CD34EF')]);

    const [rejection] = await waitForMails(rejectedTo, 1);
    expect(rejection!.subject).toBe(`We could not accept your order ${rejectedOrder.slice(0, 8)}`);
    expect(rejection!.text).toContain('out of stock (OUT_OF_STOCK)');
    expect(rejection!.text).toContain('TEA-1: requested 2, available 1');

    const cancellation = await waitForMails(cancelledTo, 2);
    expect(cancellation.map((m) => m.subject)).toEqual([
      `Your order ${cancelledOrder.slice(0, 8)} is confirmed`,
      `Your order ${cancelledOrder.slice(0, 8)} is cancelled`,
    ]);
    expect(cancellation[1]!.text).toContain('Reason: changed my mind');

    const [, shipped] = await waitForMails(shippedTo, 2);
    expect(shipped!.subject).toBe(`Your order ${shippedOrder.slice(0, 8)} is on its way`);
    expect(shipped!.text).toContain('Tracking number: TRK-AB12CD34EF');

    await shop.waitForPublished('EmailSent', about(shippedOrder), 2);
    const { body } = await shop.api(`/emails?to=${encodeURIComponent(shippedTo)}`);
    expect(body.map((e: { template: string }) => e.template)).toEqual(['ORDER_SHIPPED', 'ORDER_CONFIRMED']); // newest first
  });

  it('sends one email per order and template, however often the event is delivered', async () => {
    const orderId = randomUUID();
    const to = newCustomer();
    // The same record twice (a redelivery), then a second confirmation event of the same order.
    await shop.publish([requested(orderId, to), { ...confirmed(orderId), eventId: randomUUID() }], { times: 2 });
    await shop.publish([confirmed(orderId), cancelled(orderId)]);

    // Emails go out oldest first, so once the cancellation arrived any second confirmation would have too.
    const mails = await waitForMails(to, 2);
    expect(mails.map((m) => m.subject)).toEqual([`Your order ${orderId.slice(0, 8)} is confirmed`, `Your order ${orderId.slice(0, 8)} is cancelled`]);
    expect((await emailRows(orderId)).map((r) => r.template)).toEqual(['ORDER_CONFIRMED', 'ORDER_CANCELLED']);
    // EmailSent is recorded once the mail server has answered, a moment after the catcher has the mail.
    const emailsSent = async () => (await shop.db.pool.query(`SELECT 1 FROM outbox WHERE key = $1 AND event_type = 'EmailSent'`, [orderId])).rows.length;
    await waitFor(async () => (await emailsSent()) >= 2, { timeoutMs: 10_000, description: 'EmailSent for both emails' });
    expect(await emailsSent()).toBe(2);
  });

  it('writes about a dispatch it read before the order itself, once the order arrives', async () => {
    const orderId = randomUUID();
    const to = newCustomer();
    const [dispatchedId] = await shop.publish([dispatched(orderId, 'TRK-EARLY00001')]);
    await shop.handled(dispatchedId!);
    expect(await emailRows(orderId)).toEqual([]);

    // The consumer is not held up meanwhile: other orders get their emails.
    const other = randomUUID();
    const otherTo = newCustomer();
    await shop.publish([requested(other, otherTo), confirmed(other)]);
    await waitForMails(otherTo, 1);

    await shop.publish([requested(orderId, to)]);
    const [shipped] = await waitForMails(to, 1);
    expect(shipped!.text).toContain('Tracking number: TRK-EARLY00001');
    const [sent] = await shop.waitForPublished('EmailSent', about(orderId));
    expect(sent).toMatchObject({ causationId: dispatchedId, data: { template: 'ORDER_SHIPPED', to } });
  });

  it('keeps emails PENDING while the mail server is down, then sends each exactly once', async () => {
    const orders: string[] = [randomUUID(), randomUUID()];
    const recipients = [newCustomer(), newCustomer()];
    mail.refuse(true);
    try {
      await shop.publish(orders.flatMap((orderId, i) => [requested(orderId, recipients[i]!), confirmed(orderId)]));
      for (const orderId of orders) {
        await waitWithLog(async () => (await emailRows(orderId)).some((r) => r.attempts >= 1), { timeoutMs: 30_000, description: `a refused attempt for ${orderId}` });
        const [row] = await emailRows(orderId);
        expect(row).toMatchObject({ status: 'PENDING', last_error: expect.stringContaining('421') });
        expect((await shop.api(`/emails?orderId=${orderId}`)).body).toEqual([]);
      }
      expect(recipients.flatMap(mailsTo)).toEqual([]);
      const down = await scrapeMetrics(shop.url(''));
      expect(down.sum('webshop_pending_emails')).toBeGreaterThanOrEqual(2);
      expect(down.sum('webshop_failing_emails')).toBeGreaterThanOrEqual(2);
      expect(down.sum('webshop_smtp_send_duration_seconds_count', { outcome: 'failed' })).toBeGreaterThanOrEqual(2);
    } finally {
      mail.refuse(false);
    }

    for (const to of recipients) await waitForMails(to, 1);
    for (const orderId of orders) {
      await waitWithLog(async () => (await emailRows(orderId))[0]?.status === 'SENT', { timeoutMs: 30_000, description: `${orderId} SENT` });
      await shop.waitForPublished('EmailSent', about(orderId));
    }
    expect(recipients.map((to) => mailsTo(to).length)).toEqual([1, 1]);
    const up = await waitFor(async () => {
      const m = await scrapeMetrics(shop.url(''));
      return m.sum('webshop_pending_emails') === 0 && m;
    }, { description: 'no email pending in the metrics' });
    expect(up.sum('webshop_failing_emails')).toBe(0);
    expect(up.sum('webshop_smtp_send_duration_seconds_count', { outcome: 'accepted' })).toBeGreaterThanOrEqual(mail.messages.length);
    expect(shop.published.filter((p) => p.type === 'EmailSent' && orders.includes((p.data as { orderId: string }).orderId))).toHaveLength(2);
  });

  it('answers 400 validation_failed for a malformed orderId filter, and an empty list for an unknown order', async () => {
    const bad = await shop.api('/emails?orderId=not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'validation_failed', details: [expect.objectContaining({ path: 'orderId' })] });
    expect(await shop.api(`/emails?orderId=${randomUUID()}`)).toMatchObject({ status: 200, body: [] });
  });

  it('rebuilds the same contact book by replaying its topics into an empty table, and sends nothing again', async () => {
    const orders = [randomUUID(), randomUUID(), randomUUID()];
    await shop.publish(orders.map((orderId) => requested(orderId, newCustomer())));
    const table = projectionTables[0];
    const snapshot = async (db: { query: typeof shop.db.pool.query }) => (await db.query(`SELECT * FROM ${table} ORDER BY order_id`)).rows;
    // Every order published in this suite so far (these three included) is in the table.
    const before = await waitFor(async () => {
      const rows = await snapshot(shop.db.pool);
      return orders.every((id) => rows.some((r) => r.order_id === id)) && rows;
    });
    const fresh = await createTestDatabase('email_replay');
    try {
      await migrate(fresh.pool, [...messagingMigrations, ...migrations]);
      await replayTopics({
        kafka: shop.kafka,
        pool: fresh.pool,
        service: 'email',
        topics: consumedTopics,
        topicPrefix: shop.prefix,
        handlers: emailEventHandlers('replay'),
      });
      expect(await snapshot(fresh.pool)).toEqual(before);
      expect((await fresh.pool.query('SELECT count(*)::int AS n FROM emails')).rows[0].n).toBe(0); // a replay decides nothing
    } finally {
      await fresh.drop();
    }
  });
});
