/**
 * The shop rides through its dependencies going away and coming back: the five services as real
 * processes on a Postgres server and a Kafka broker of this suite's own, which it stops and kills
 * (the shared ones of the other suites are never touched). No process may exit on its own, no
 * accepted order may be lost or stuck, and a request gets a 5xx only while a dependency it needs
 * is away (503, never 500).
 */
import { createDedicatedBroker, createDedicatedPostgres, testOperatorToken, waitFor, type DedicatedBroker, type DedicatedPostgres } from '@webshop/testing';
import { call, shopClient, unique, address, type Answer, type ShopClient } from './qa/client';
import { startShop, serviceNames, type Shop } from './shop';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the shop when Postgres or Kafka goes away', () => {
  let broker: DedicatedBroker;
  let postgres: DedicatedPostgres;
  let shop: Shop;
  let api: ShopClient;
  const sku = unique('FAULT');
  const customer = unique('steady');

  beforeAll(async () => {
    [broker, postgres] = await Promise.all([createDedicatedBroker(), createDedicatedPostgres()]);
    await Promise.all([broker.start(), postgres.start()]);
    shop = await startShop({ kafka: broker, databaseServer: postgres.url });
    api = shopClient(shop.url, testOperatorToken);
    await api.product(sku, 100, 100_000);
    await api.deposit(customer, 100_000_000);
    await api.until((await api.place(customer, [{ sku, quantity: 1 }])).orderId, 'CONFIRMED');
  }, 240_000);

  afterAll(async () => {
    await shop?.stop();
    await Promise.all([broker?.destroy(), postgres?.destroy()]);
  }, 120_000);

  const orderBody = { customerId: customer, email: `${customer}@example.com`, items: [{ sku, quantity: 1 }], shippingAddress: address };
  const placeOrder = () => call<{ orderId: string }>(shop.url.orders, 'POST', '/orders', orderBody);

  /** Places an order every `everyMs` until `stop` resolves; answers every answer, in order. */
  async function placeOrdersUntil(stop: Promise<unknown>, everyMs: number): Promise<Answer[]> {
    const answers: Array<Promise<Answer>> = [];
    let stopped = false;
    void stop.then(() => (stopped = true));
    while (!stopped) {
      answers.push(placeOrder().catch((error: unknown) => ({ status: 0, headers: new Headers(), body: String(error) })));
      await sleep(everyMs);
    }
    return Promise.all(answers);
  }

  const readiness = async (base: string) => {
    const res = await call(base, 'GET', '/readyz');
    return { status: res.status, body: res.body as { checks: Array<{ name: string; ok: boolean; reason?: string }> } };
  };

  /** The order's status once it is CONFIRMED or REJECTED, waiting up to 90 s (30 s a request, the API's limit). */
  async function settled(orderId: string): Promise<string> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const res = await call<{ status: string }>(shop.url.orders, 'GET', `/orders/${orderId}?until=CONFIRMED,REJECTED&timeoutMs=30000`);
      if (res.status === 200 && !res.headers.get('x-wait-timed-out')) return res.body.status;
      if (Date.now() > deadline) return `not settled: ${res.status} ${JSON.stringify(res.body)}`;
    }
  }

  async function expectEveryOrderConfirmed(answers: Answer[]): Promise<void> {
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.orderId as string);
    const statuses = await Promise.all(accepted.map(settled));
    expect(statuses.filter((s) => s !== 'CONFIRMED')).toEqual([]);
  }

  it('a database crash under load: every service keeps running, readiness says why, and every accepted order completes', async () => {
    const outage = (async () => {
      await sleep(1_500);
      await postgres.stop('immediate');
      const duringOutage = await Promise.all(serviceNames.map((name) => readiness(shop.url[name])));
      await sleep(3_000);
      await postgres.start();
      await sleep(2_000);
      return duringOutage;
    })();
    const answers = await placeOrdersUntil(outage, 200);
    const duringOutage = await outage;

    for (const ready of duringOutage) {
      expect(ready.status).toBe(503);
      expect(ready.body.checks.find((c) => c.name === 'postgres')).toMatchObject({ ok: false });
    }
    // Orders refused while the database was away say so with 503; none is a 500.
    expect(answers.filter((a) => a.status !== 202 && a.status !== 503)).toEqual([]);
    expect(answers.filter((a) => a.status === 202).length).toBeGreaterThan(10);
    await expectEveryOrderConfirmed(answers);
    for (const name of serviceNames) await waitFor(async () => (await readiness(shop.url[name])).status === 200, { timeoutMs: 30_000, description: `${name} ready again` });
    expect(shop.unexpectedExits).toEqual([]);
  });

  it('orders placed while the broker is down all get 202, and complete once it is back', async () => {
    await broker.kill();
    // 12 s of orders at 5/s with the broker gone: the relay and the consumers retry meanwhile.
    const answers = await placeOrdersUntil(sleep(12_000), 200);
    const ordersReadiness = await readiness(shop.url.orders);
    expect(ordersReadiness.status).toBe(503);
    expect(ordersReadiness.body.checks.find((c) => c.name === 'kafka')).toMatchObject({ ok: false });
    expect(answers.length).toBeGreaterThan(40);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));

    await broker.start();
    await expectEveryOrderConfirmed(answers);
    for (const name of serviceNames) await waitFor(async () => (await readiness(shop.url[name])).status === 200, { timeoutMs: 60_000, description: `${name} ready again` });
    expect(shop.unexpectedExits).toEqual([]);
  });

  it('a stop with open streams and long polls: they are told to reconnect or answered, and orders exits 0 within 10 s', async () => {
    const order = await api.place(customer, [{ sku, quantity: 1 }]);
    await api.until(order.orderId, 'CONFIRMED');
    // CONFIRMED is not final (no auto-dispatch here): the streams stay open until the stop.
    const streams = [0, 1, 2].map(async () => {
      const response = await fetch(`${shop.url.orders}/orders/${order.orderId}/updates`);
      return response.text();
    });
    const longPoll = call(shop.url.orders, 'GET', `/orders/${order.orderId}?until=DELIVERED&timeoutMs=30000`);
    await sleep(500);
    const started = Date.now();
    const code = await shop.kill('orders', 'SIGTERM');
    const stoppedInMs = Date.now() - started;
    expect(code).toBe(0);
    expect(stoppedInMs).toBeLessThan(10_000);
    for (const text of await Promise.all(streams)) {
      expect(text).toMatch(/event: PurchaseRequested/);
      expect(text).toMatch(/retry: \d+\nevent: reconnect\n/);
    }
    const polled = await longPoll;
    expect(polled).toMatchObject({ status: 200, body: { status: 'CONFIRMED' } });
    expect(polled.headers.get('x-wait-timed-out')).toBe('true');

    await shop.start('orders');
    expect(shop.unexpectedExits).toEqual([]);
  });

  it('a service started while Postgres and Kafka are down waits for them, says so, and becomes ready when they come', async () => {
    await shop.kill('payment', 'SIGTERM');
    await Promise.all([postgres.stop('fast'), broker.stop()]);
    const starting = shop.start('payment', { waitUntilReady: false });
    await starting;
    const payment = shop.process('payment');
    await waitFor(async () => (await call(shop.url.payment, 'GET', '/healthz')).status === 200, { timeoutMs: 30_000, description: 'payment alive' });
    const lifecycle = async () => (await readiness(shop.url.payment)).body.checks.find((c) => c.name === 'lifecycle');
    const waiting = await readiness(shop.url.payment);
    expect(waiting.status).toBe(503);
    expect((await lifecycle())?.reason).toMatch(/waiting for postgres/);
    // Routes other than health answer 503 until the service is ready.
    expect((await call(shop.url.payment, 'GET', `/accounts/${customer}`)).status).toBe(503);

    await postgres.start();
    await waitFor(async () => /waiting for kafka/.test((await lifecycle())?.reason ?? ''), { timeoutMs: 30_000, description: 'payment waiting for kafka' });
    await broker.start();
    await payment.untilReady();
    expect(await api.balance(customer)).toBeGreaterThan(0);
    const order = await api.place(customer, [{ sku, quantity: 1 }]);
    expect(await settled(order.orderId)).toBe('CONFIRMED');
    expect(shop.unexpectedExits).toEqual([]);
  });
});
