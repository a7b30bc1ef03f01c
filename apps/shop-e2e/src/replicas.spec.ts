/**
 * The shop with two instances of every service, each pair on one database and consumer group, as
 * behind a load balancer: orders are placed on either orders instance and waited for on the other
 * (a change one instance applied wakes a blocking read on the other), one instance of every
 * service is killed (SIGKILL) in the middle of the flow and started again, and every order still
 * completes once, with one charge, one reservation and one email of each kind.
 */
import { testOperatorToken } from '@webshop/testing';
import { call, eventually, shopClient, unique, address, type Answer } from './qa/client';
import { startShop, serviceNames, type Shop } from './shop';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two instances of every service', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop({ replicas: 2, env: { shipping: { AUTO_DISPATCH_MS: '1000' }, email: { EMAIL_CLAIM_MS: '5000' } } });
  }, 240_000);
  afterAll(() => shop?.stop(), 120_000);

  it('completes every order once when one instance of each service is killed mid-flow', async () => {
    const api = shopClient(shop.url, testOperatorToken);
    const sku = unique('PAIR');
    const customer = unique('pair');
    const priceCents = 250;
    await api.product(sku, priceCents, 1_000);
    await api.deposit(customer, 1_000_000);
    await api.until((await api.place(customer, [{ sku, quantity: 1 }])).orderId, 'CONFIRMED');

    const body = { customerId: customer, email: `${customer}@example.com`, items: [{ sku, quantity: 1 }], shippingAddress: address };
    const placed: Array<{ orderId: string; on: number }> = [];
    const waits: Array<Promise<Answer>> = [];
    const killed = new Set<number>();
    for (let i = 0; i < 24; i++) {
      if (i === 10) {
        // One instance of every service dies at once, mid-flow; the load balancer stops sending it requests.
        await Promise.all(serviceNames.map((name) => shop.kill(name, 'SIGKILL', 1)));
        killed.add(1);
      }
      if (i === 18) {
        await Promise.all(serviceNames.map((name) => shop.start(name, { instance: 1 })));
        killed.delete(1);
      }
      const on = killed.has(i % 2) ? 0 : i % 2;
      const res = await call<{ orderId: string }>(shop.urls.orders[on]!, 'POST', '/orders', body);
      expect(res.status).toBe(202);
      placed.push({ orderId: res.body.orderId, on });
      // Waited for on the other instance, whenever it is up: woken by a change the first one applied.
      const other = killed.has(1 - on) ? on : 1 - on;
      waits.push(
        call(shop.urls.orders[other]!, 'GET', `/orders/${res.body.orderId}?until=CONFIRMED,REJECTED&timeoutMs=30000`).catch(
          (error: unknown) => ({ status: 0, headers: new Headers(), body: String(error) }), // its instance was killed under it
        ),
      );
      await sleep(150);
    }
    const answers = await Promise.all(waits);
    // A wait on an instance that was killed under it fails with it; ask again where it was answered.
    for (const [i, answer] of answers.entries()) {
      if (answer.status !== 200 || answer.headers.get('x-wait-timed-out')) {
        answers[i] = await call(shop.url.orders, 'GET', `/orders/${placed[i]!.orderId}?until=CONFIRMED,SHIPPED,DELIVERED,REJECTED&timeoutMs=30000`);
      }
    }
    // Confirmed, or already further on (auto-dispatch moves orders along every second here).
    const confirmedOrLater = ['CONFIRMED', 'SHIPPED', 'DELIVERED'];
    expect(answers.map((a) => confirmedOrLater.includes(a.body.status))).toEqual(placed.map(() => true));

    // Every order was charged once and reserved once; every confirmation mailed once.
    const orders = [...placed.map((p) => p.orderId)];
    const payments = await Promise.all(orders.map((id) => api.payment(id)));
    expect(payments.map((p) => p.status)).toEqual(orders.map(() => 'PROCESSED'));
    expect(await api.balance(customer)).toBe(1_000_000 - (orders.length + 1) * priceCents);
    // Stock commits each reservation when it reads the order's confirmation, a moment after orders
    // answered (later still when the stock instance that had the partition was the one killed).
    const stock = await eventually(() => api.stockOf(sku), (s) => s.available + s.reserved === 1_000 - (orders.length + 1), 'every reservation committed').catch(() => api.stockOf(sku));
    expect(stock.available + stock.reserved).toBe(1_000 - (orders.length + 1));
    for (const orderId of orders) {
      const emails = await api.emails(orderId, 1);
      expect(emails.filter((e) => e.template === 'ORDER_CONFIRMED')).toHaveLength(1);
    }
    // At the mail server: one Message-ID per order and template (a re-send after a crash in the
    // window would carry the same one).
    const confirmations = shop.mail.messages.filter((m) => m.to === `${customer}@example.com` && /confirmed/i.test(m.subject));
    const ids = new Map<string, Set<string>>();
    for (const m of confirmations) {
      const orderId = m.headers['x-webshop-order-id']!;
      ids.set(orderId, (ids.get(orderId) ?? new Set()).add(m.messageId));
    }
    for (const orderId of orders) expect(ids.get(orderId)?.size).toBe(1);
    expect(shop.unexpectedExits).toEqual([]);
  });
});
