/**
 * The order flow of docs/architecture.md end to end: five services in their own processes, talking only
 * through Kafka, each with its own Postgres database, driven through their HTTP APIs as QA does.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { testOperatorToken } from '@webshop/testing';
import { call, eventually, shopClient, unique, type Order, type ShopClient } from './qa/client';
import { scenarios } from './qa/scenarios';
import { startShop, type Shop } from './shop';

const root = path.resolve(__dirname, '../../..');
const tsx = (script: string, args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', 'tsconfig.base.json', script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });

describe('the order flow', () => {
  let shop: Shop;
  let api: ShopClient;
  beforeAll(async () => {
    shop = await startShop();
    api = shopClient(shop.url, testOperatorToken);
  }, 180_000);
  afterAll(() => shop?.stop(), 60_000);

  const reservationsSettled = (sku: string) => eventually(() => api.stockOf(sku), (s) => s.reserved === 0, `reservations of ${sku} committed or released`);

  // The scenarios QA runs with `npm run e2e`: happy path, declined, out of stock, cancelled, cancelled too late,
  // idempotency, bad input.
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    await scenario.run(api);
  });

  it('npm run e2e runs the scenarios against a running shop and reports each', async () => {
    const { stdout } = await tsx('apps/shop-e2e/src/qa/cli.ts', ['--only', 'bad input'], {
      ORDERS_URL: shop.url.orders,
      PAYMENT_URL: shop.url.payment,
      STOCK_URL: shop.url.stock,
      SHIPPING_URL: shop.url.shipping,
      EMAIL_URL: shop.url.email,
      ADMIN_TOKEN: testOperatorToken,
    });
    expect(stdout).toMatch(/^PASS {2}bad input/m);
    expect(stdout).toMatch(/^1 passed, 0 failed$/m);
  });

  it('the mail really went out over SMTP, one message per email', async () => {
    const sku = unique('MAIL');
    const customer = unique('reader');
    await api.product(sku, 100, 5);
    await api.deposit(customer, 1_000);
    const order = await api.place(customer, [{ sku, quantity: 1 }]);
    await api.until(order.orderId, 'CONFIRMED');
    const [email] = await api.emails(order.orderId, 1);
    const caught = await eventually(async () => shop.mail.messages.filter((m) => m.to === `${customer}@example.com`), (m) => m.length === 1, 'the mail caught');
    expect(caught[0]!.subject).toBe((email as unknown as { subject: string }).subject);
  });

  it('50 concurrent orders for a sku with 10 in stock: exactly 10 confirmed, stock 0, money conserved', async () => {
    const sku = unique('HOT');
    await api.product(sku, 1_000, 11);
    // One order first, so that orders' catalogue copy knows the sku: 10 units are left after it.
    const warm = unique('warm');
    await api.deposit(warm, 1_000);
    await api.until((await api.place(warm, [{ sku, quantity: 1 }])).orderId, 'CONFIRMED');
    const customers = Array.from({ length: 10 }, () => unique('crowd'));
    await Promise.all(customers.map((c) => api.deposit(c, 10_000)));

    const latencies: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const started = Date.now();
        const order = await api.place(customers[i % customers.length]!, [{ sku, quantity: 1 }]);
        const final = await api.until(order.orderId, 'CONFIRMED,REJECTED');
        if (final.status === 'CONFIRMED') latencies.push(Date.now() - started);
        return final;
      }),
    );
    expect(results.filter((o) => o.status === 'CONFIRMED')).toHaveLength(10);
    expect(results.filter((o) => o.status === 'REJECTED').every((o) => o.rejectionReason === 'OUT_OF_STOCK')).toBe(true);

    // Every rejected order that was charged is refunded: money is conserved across all accounts.
    const total = async () => (await Promise.all(customers.map(api.balance))).reduce((a, b) => a + b, 0);
    expect(await eventually(total, (t) => t === 10 * 10_000 - 10 * 1_000, 'every rejected order refunded')).toBe(90_000);
    expect(await reservationsSettled(sku)).toMatchObject({ available: 0, reserved: 0 });

    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `\n[latency] POST → CONFIRMED with 50 concurrent orders: median ${latencies[Math.floor(latencies.length / 2)]} ms, worst ${latencies[latencies.length - 1]} ms (n=${latencies.length})\n`,
    );
  });

  it('cancel racing dispatch: each order ends one way in every service, cancelled and refunded or shipped and charged', async () => {
    const sku = unique('RACE');
    const customer = unique('racer');
    const n = 12;
    await api.product(sku, 700, n);
    await api.deposit(customer, 100_000);
    const orders = await Promise.all(Array.from({ length: n }, () => api.place(customer, [{ sku, quantity: 1 }])));
    for (const order of orders) {
      expect((await api.until(order.orderId, 'CONFIRMED,REJECTED')).status).toBe('CONFIRMED');
      await api.shipment(order.orderId, 'SCHEDULED');
    }

    // The customer cancels while the warehouse dispatches. The cancel reaches shipping through Kafka,
    // the dispatch directly: the warehouse starts 0, 150, 300, ... ms after the customer, so that the
    // early orders go to the dispatch, the late ones to the cancel, and those between are a real race.
    const outcomes = await Promise.all(
      orders.map(async (order, i) => {
        const [cancel, dispatch] = await Promise.all([
          call<Order & { error?: string }>(shop.url.orders, 'POST', `/orders/${order.orderId}/cancel`, {}),
          new Promise((resolve) => setTimeout(resolve, i * 150)).then(() => call(shop.url.shipping, 'POST', `/shipments/${order.orderId}/dispatch`, undefined, api.operator)),
        ]);
        return { order, cancel, dispatch };
      }),
    );

    let shipped = 0;
    for (const { order, cancel, dispatch } of outcomes) {
      const cancelled = cancel.status === 202;
      if (cancelled) {
        expect([cancel.body.status, dispatch.status]).toEqual(['CANCELLED', 409]);
      } else {
        expect([cancel.status, cancel.body.error, dispatch.status]).toEqual([409, 'not_cancellable', 202]);
        shipped++;
      }
      // Every service tells the same story.
      expect((await api.until(order.orderId, 'CANCELLED,SHIPPED')).status).toBe(cancelled ? 'CANCELLED' : 'SHIPPED');
      await api.shipment(order.orderId, cancelled ? 'CANCELLED' : 'DISPATCHED');
      const payment = await eventually(() => api.payment(order.orderId), (p) => p.status === (cancelled ? 'REFUNDED' : 'PROCESSED'), 'the payment settled');
      expect(payment.amountCents).toBe(700);
      const templates = (await api.emails(order.orderId, 2)).map((e) => e.template).sort();
      expect(templates).toEqual(cancelled ? ['ORDER_CANCELLED', 'ORDER_CONFIRMED'] : ['ORDER_CONFIRMED', 'ORDER_SHIPPED']);
    }
    // Charged for exactly the parcels that left; stock back for exactly the ones that did not.
    expect(await eventually(() => api.balance(customer), (b) => b === 100_000 - shipped * 700, 'refunds of the cancelled orders')).toBe(100_000 - shipped * 700);
    expect(await reservationsSettled(sku)).toMatchObject({ available: n - shipped, reserved: 0 });
    process.stdout.write(`\n[race] cancel vs dispatch on ${n} orders: ${n - shipped} cancelled, ${shipped} shipped\n`);
  });

  it('a service killed mid-flow (SIGKILL): the flow completes after its restart, nothing doubled', async () => {
    const sku = unique('KILL');
    const customer = unique('patient');
    await api.product(sku, 500, 20);
    await api.deposit(customer, 10_000);

    await shop.kill('payment');
    const first = await api.place(customer, [{ sku, quantity: 1 }]);
    const waiting = await call<Order>(shop.url.orders, 'GET', `/orders/${first.orderId}?until=CONFIRMED&timeoutMs=1000`);
    expect([waiting.body.status, waiting.headers.get('x-wait-timed-out')]).toEqual(['PENDING', 'true']); // no payment answer yet
    await shop.start('payment');
    expect((await api.until(first.orderId, 'CONFIRMED,REJECTED')).status).toBe('CONFIRMED');

    // Orders itself dies with orders in flight.
    const inFlight = await Promise.all(Array.from({ length: 8 }, () => api.place(customer, [{ sku, quantity: 1 }])));
    await shop.restart('orders');
    for (const order of inFlight) expect((await api.until(order.orderId, 'CONFIRMED,REJECTED')).status).toBe('CONFIRMED');

    expect(await api.balance(customer)).toBe(10_000 - 9 * 500);
    expect(await reservationsSettled(sku)).toMatchObject({ available: 20 - 9 });
    for (const order of [first, ...inFlight]) expect((await api.emails(order.orderId, 1)).map((e) => e.template)).toEqual(['ORDER_CONFIRMED']);
  });

  it('SIGTERM under load: payment and stock stop cleanly (exit 0); after their restart nothing is lost or doubled', async () => {
    const sku = unique('TERM');
    await api.product(sku, 300, 1_000);
    const customers = Array.from({ length: 5 }, () => unique('steady'));
    await Promise.all(customers.map((c) => api.deposit(c, 100_000)));

    // A steady stream of orders; in the middle of it both consumers are told to stop.
    const placed: Order[] = [];
    const stream = (async () => {
      for (let i = 0; i < 60; i++) {
        placed.push(await api.place(customers[i % customers.length]!, [{ sku, quantity: 1 }]));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    await eventually(async () => placed.length, (n) => n >= 20, 'a third of the orders placed');
    const [paymentExit, stockExit] = await Promise.all([shop.kill('payment', 'SIGTERM'), shop.kill('stock', 'SIGTERM')]);
    expect([paymentExit, stockExit]).toEqual([0, 0]);
    await stream;
    await Promise.all([shop.start('payment'), shop.start('stock')]);

    const finals = await Promise.all(placed.map((o) => api.until(o.orderId, 'CONFIRMED,REJECTED')));
    expect(finals.every((o) => o.status === 'CONFIRMED')).toBe(true);
    const spent = (await Promise.all(customers.map(api.balance))).reduce((sum, b) => sum + (100_000 - b), 0);
    expect(spent).toBe(60 * 300);
    expect(await reservationsSettled(sku)).toMatchObject({ available: 1_000 - 60, reserved: 0 });
  });

  it('npm run seed fills the catalogue and the accounts through the APIs, and a second run adds nothing', async () => {
    // Without the operator's token the seed is refused, and says so.
    const refused = tsx('infra/seed/seed.ts', [], { STOCK_URL: shop.url.stock, PAYMENT_URL: shop.url.payment, SHOP_STATE_DIR: '/nonexistent', ADMIN_TOKEN: '' });
    await expect(refused).rejects.toMatchObject({ stderr: expect.stringMatching(/seeding failed: .*HTTP 401.*unauthorized/) });
    const env = { STOCK_URL: shop.url.stock, PAYMENT_URL: shop.url.payment, ADMIN_TOKEN: testOperatorToken };
    expect((await tsx('infra/seed/seed.ts', [], env)).stdout).toMatch(/seeded/);
    await tsx('infra/seed/seed.ts', [], env);
    expect(await api.stockOf('TEA-EARLGREY')).toMatchObject({ available: 100 });
    expect(await api.balance('alice')).toBe(50_000);
    expect((await call(shop.url.payment, 'GET', '/accounts/dave')).status).toBe(404);
    const products = (await call<Array<{ sku: string }>>(shop.url.stock, 'GET', '/products')).body.map((p) => p.sku);
    expect(products).toEqual(expect.arrayContaining(['TEA-EARLGREY', 'TEA-SENCHA', 'MUG-STONE', 'POT-GLASS', 'KETTLE-GOOSENECK']));
  });
});
