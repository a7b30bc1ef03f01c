/**
 * The whole load run, over real HTTP, against a stand-in for the shop (fake-shop.ts). These tests
 * run in real time but short (a second or two each) and assert outcomes, never timings.
 */
import net from 'node:net';
import { startFakeShop, type FakeShop, type FakeShopBehaviour } from './fake-shop';
import type { LoadOptions } from './options';
import { planRun, randomOrder, runLoad, SetupError, type RunDeps } from './run';

/** A port nothing listens on (it just did, and was closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a load run', () => {
  let shop: FakeShop | undefined;
  afterEach(async () => {
    await shop?.stop();
    shop = undefined;
  });

  async function run(behaviour: FakeShopBehaviour, overrides: Partial<LoadOptions> = {}, deps: RunDeps = {}) {
    shop = await startFakeShop(behaviour);
    const options: LoadOptions = {
      rate: 40,
      durationS: 1,
      ordersUrl: shop.url,
      stockUrl: shop.url,
      paymentUrl: shop.url,
      out: '/nowhere',
      settleTimeoutS: 10,
      customers: 5,
      skus: 4,
      ...overrides,
    };
    return runLoad(options, { runId: 'test', ...deps });
  }

  it('stocks and funds enough, waits out the catalogue with uncounted warm-up orders, and sees every order CONFIRMED', async () => {
    const result = await run({ catalogueLagMs: 300, settleAfterMs: () => 20 });

    expect(result.counts).toEqual({ scheduled: 40, sent: 40, confirmed: 40, rejected: 0, cancelled: 0, errors: 0, notFinal: 0 });
    expect(result.check).toEqual({ allFinal: true, httpErrors: 0, interrupted: false, passed: true });
    expect(result.latency.count).toBe(40);
    expect(result.samples).toHaveLength(40);
    expect(result.series).toEqual([expect.objectContaining({ second: 0, sent: 40, confirmed: 40 })]);

    const s = shop!;
    expect([...s.stock.keys()]).toEqual(['LOAD-test-1', 'LOAD-test-2', 'LOAD-test-3', 'LOAD-test-4']);
    // The first orders bounced off the lagging catalogue: those were warm-ups, retried, not counted.
    expect(s.requests.filter((r) => r === 'POST /orders').length).toBeGreaterThan(s.orders.length);
    expect(s.orders).toHaveLength(4 + 40);
    expect(s.orders.slice(0, 4).map((o) => o.customerId)).toEqual(Array(4).fill('load-test-warmup'));
    expect(s.orders.every((o) => o.status === 'CONFIRMED')).toBe(true);
    // Every measured order was placed after every warm-up order had settled.
    const firstMeasured = s.history.indexOf('placed 4');
    for (const seq of [0, 1, 2, 3]) {
      const settled = s.history.indexOf(`settled ${seq} CONFIRMED`);
      expect(settled).toBeGreaterThanOrEqual(0);
      expect(settled).toBeLessThan(firstMeasured);
    }
  });

  it('counts SHIPPED as confirmed and REJECTED as final: a rejection fails no check', async () => {
    const result = await run({ settledAs: (seq) => (seq === 5 ? 'REJECTED' : seq % 2 ? 'SHIPPED' : 'CONFIRMED') }, { rate: 10, durationS: 1 });
    expect(result.counts).toMatchObject({ sent: 10, confirmed: 9, rejected: 1, errors: 0, notFinal: 0 });
    expect(result.samples.filter((s) => s.status === 'REJECTED')).toHaveLength(1);
    expect(result.latency.count).toBe(9);
    expect(result.check.passed).toBe(true);
  });

  it('repeats the blocking read while an order stays PENDING, and counts it not final at the settle timeout', async () => {
    const stuck = 4 + 2; // the third measured order (after four warm-ups)
    const result = await run({ settleAfterMs: (seq) => (seq === stuck ? 'never' : 10) }, { rate: 10, durationS: 0.5, settleTimeoutS: 0.5 }, { longPollMs: 100 });

    expect(result.counts).toEqual({ scheduled: 5, sent: 5, confirmed: 4, rejected: 0, cancelled: 0, errors: 0, notFinal: 1 });
    expect(result.check).toMatchObject({ allFinal: false, passed: false });
    const reads = shop!.requests.filter((r) => r.startsWith(`GET /orders/${shop!.orders[stuck]!.orderId}?`));
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads[0]).toContain('until=CONFIRMED,REJECTED,CANCELLED,SHIPPED,DELIVERED&timeoutMs=100');
  });

  it('counts a failed HTTP call as an error, by kind, and fails the check', async () => {
    const result = await run({ failPost: (attempt) => attempt === 4 + 1 }, { rate: 10, durationS: 0.5 });
    expect(result.counts).toMatchObject({ sent: 5, confirmed: 4, errors: 1, notFinal: 0 });
    expect(result.errorsByKind).toEqual({ 'POST /orders → 503 unavailable': 1 });
    expect(result.check).toMatchObject({ allFinal: true, httpErrors: 1, passed: false });
  });

  it('keeps sending on schedule while nothing comes back, up to the in-flight guard, beyond which due orders are errors', async () => {
    const result = await run({ settleAfterMs: (seq) => (seq < 4 ? 10 : 1_500) }, { rate: 20, durationS: 0.5 }, { maxInFlight: 3 });
    expect(result.counts).toEqual({ scheduled: 10, sent: 3, confirmed: 3, rejected: 0, cancelled: 0, errors: 7, notFinal: 0 });
    expect(result.errorsByKind).toEqual({ 'not sent: 3 orders already in flight': 7 });
  });

  it('stops sending when interrupted, still settles what it sent, and does not pass', async () => {
    const stop = new AbortController();
    const resultPromise = run({}, { rate: 20, durationS: 5 }, { signal: stop.signal, onProgress: () => stop.abort() });
    const result = await resultPromise;
    expect(result.interrupted).toBe(true);
    expect(result.counts.sent).toBeGreaterThan(0);
    expect(result.counts.sent).toBeLessThan(100);
    expect(result.counts.confirmed).toBe(result.counts.sent);
    expect(result.check.passed).toBe(false);
  });

  it('fails the set-up, before measuring anything, when a warm-up order is rejected', async () => {
    const failure = run({ settledAs: (seq) => (seq === 0 ? 'REJECTED' : 'CONFIRMED') });
    await expect(failure).rejects.toBeInstanceOf(SetupError);
    await expect(failure).rejects.toThrow(/the warm-up order .* for LOAD-test-1 ended REJECTED/);
    expect(shop!.orders).toHaveLength(4); // the warm-ups only
  });

  it('fails the set-up when the catalogue never reaches orders, or a service does not answer', async () => {
    await expect(run({ catalogueLagMs: 60_000 }, {}, { warmUpTimeoutMs: 300 })).rejects.toThrow(/LOAD-test-\d did not reach the orders catalogue .*422 unknown_sku/);
    const closed = `http://127.0.0.1:${await closedPort()}`;
    await expect(runLoad({ rate: 1, durationS: 1, ordersUrl: closed, stockUrl: closed, paymentUrl: closed, out: '/x', settleTimeoutS: 1, customers: 1, skus: 1 })).rejects.toThrow(
      /PUT \/products\/:sku .* failed: ECONNREFUSED/,
    );
  });
});

describe('the run plan', () => {
  it('stocks each product for every order taking two of it, and funds each customer for every order at the largest total', () => {
    const plan = planRun({ rate: 10, durationS: 3, customers: 2, skus: 5 }, 'r1');
    expect(plan.orders).toBe(30);
    expect(plan.products.map((p) => p.sku)).toEqual(['LOAD-r1-1', 'LOAD-r1-2', 'LOAD-r1-3', 'LOAD-r1-4', 'LOAD-r1-5']);
    expect(plan.customers).toEqual(['load-r1-1', 'load-r1-2']);
    expect(plan.stockPerSku).toBe(61);
    const maxPrice = Math.max(...plan.products.map((p) => p.priceCents));
    expect(plan.fundsPerCustomerCents).toBe(30 * 3 * 2 * maxPrice);
  });

  it('makes orders of one random customer and 1-3 distinct products, 1-2 of each', () => {
    const plan = planRun({ rate: 1, durationS: 1, customers: 3, skus: 5 }, 'r2');
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const lineCounts = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const order = randomOrder(plan, random);
      expect(plan.customers).toContain(order.customerId);
      expect(order.email).toBe(`${order.customerId}@load.example.com`);
      expect(new Set(order.items.map((l) => l.sku)).size).toBe(order.items.length);
      for (const line of order.items) expect([1, 2]).toContain(line.quantity);
      lineCounts.add(order.items.length);
    }
    expect([...lineCounts].sort()).toEqual([1, 2, 3]);
    // With one product, one line; with a random() of (almost) 1, nothing out of range.
    const single = planRun({ rate: 1, durationS: 1, customers: 1, skus: 1 }, 'r3');
    expect(randomOrder(single, () => 0.9999999).items).toEqual([{ sku: 'LOAD-r3-1', quantity: 2 }]);
  });
});
