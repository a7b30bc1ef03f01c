/**
 * A stand-in for the shop's HTTP API (docs/architecture.md, "HTTP API"), small enough to test the load
 * generator against over real HTTP without five services, Kafka and Postgres: products and stock,
 * accounts and balances, orders that settle a while after they are placed (REJECTED when stock or
 * money is short, as the real flow would), a catalogue in orders that lags behind the products,
 * and the blocking read with `until` and `timeoutMs`. One server answers for all three services.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Status = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'SHIPPED' | 'DELIVERED';

interface FakeOrder {
  seq: number;
  orderId: string;
  customerId: string;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
  totalCents: number;
  status: Status;
  waiters: Set<() => void>;
}

export interface FakeShopBehaviour {
  /** How long after PUT /products a sku stays unknown to orders. */
  catalogueLagMs?: number;
  /** For the n-th accepted order (0-based, warm-ups included): ms until it settles, or 'never'. */
  settleAfterMs?: (seq: number) => number | 'never';
  /** The status a settled order shows when stock and money were there. */
  settledAs?: (seq: number) => 'CONFIRMED' | 'SHIPPED' | 'REJECTED';
  /** Answer this POST /orders (0-based, 422s included) with 503. */
  failPost?: (attempt: number) => boolean;
}

export interface FakeShop {
  url: string;
  orders: FakeOrder[];
  stock: Map<string, { priceCents: number; available: number; putAt: number }>;
  balances: Map<string, number>;
  /** Every request, as "METHOD /path?query". */
  requests: string[];
  /** What happened to orders, in order: "placed <seq>", "settled <seq> <status>". */
  history: string[];
  stop(): Promise<void>;
}

export async function startFakeShop(behaviour: FakeShopBehaviour = {}): Promise<FakeShop> {
  const stock: FakeShop['stock'] = new Map();
  const balances = new Map<string, number>();
  const orders: FakeOrder[] = [];
  const byId = new Map<string, FakeOrder>();
  const requests: string[] = [];
  const history: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let posts = 0;

  const settle = (order: FakeOrder, seq: number) => {
    const outcome = behaviour.settledAs?.(seq) ?? 'CONFIRMED';
    const shortOfStock = order.items.some((i) => (stock.get(i.sku)?.available ?? 0) < i.quantity);
    const shortOfMoney = (balances.get(order.customerId) ?? 0) < order.totalCents;
    if (outcome === 'REJECTED' || shortOfStock || shortOfMoney) {
      order.status = 'REJECTED';
    } else {
      order.items.forEach((i) => (stock.get(i.sku)!.available -= i.quantity));
      balances.set(order.customerId, balances.get(order.customerId)! - order.totalCents);
      order.status = outcome;
    }
    history.push(`settled ${order.seq} ${order.status}`);
    order.waiters.forEach((wake) => wake());
  };

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const body = raw ? JSON.parse(raw) : undefined;
      const send = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

      if (req.method === 'PUT' && parts[0] === 'products' && parts.length === 2) {
        const sku = parts[1]!;
        const known = stock.has(sku);
        stock.set(sku, { priceCents: body.priceCents, available: stock.get(sku)?.available ?? 0, putAt: Date.now() });
        return send(known ? 200 : 201, { sku, ...body });
      }
      if (req.method === 'POST' && parts[0] === 'products' && parts[2] === 'restock') {
        const product = stock.get(parts[1]!);
        if (!product) return send(404, { error: 'not_found', message: 'no such product' });
        product.available += body.quantity;
        return send(200, { sku: parts[1], available: product.available, reserved: 0 });
      }
      if (req.method === 'POST' && parts[0] === 'accounts' && parts[2] === 'deposits') {
        if (!(Number.isInteger(body.amountCents) && body.amountCents >= 1 && body.amountCents <= 100_000_000_00)) {
          return send(400, { error: 'validation_failed', message: 'bad amountCents' });
        }
        balances.set(parts[1]!, (balances.get(parts[1]!) ?? 0) + body.amountCents);
        return send(200, { customerId: parts[1], balanceCents: balances.get(parts[1]!) });
      }
      if (req.method === 'POST' && url.pathname === '/orders') {
        if (behaviour.failPost?.(posts++)) return send(503, { error: 'unavailable', message: 'try later' });
        const lag = behaviour.catalogueLagMs ?? 0;
        const unknown = body.items.filter((i: { sku: string }) => {
          const product = stock.get(i.sku);
          return !product || Date.now() - product.putAt < lag;
        });
        if (unknown.length > 0) return send(422, { error: 'unknown_sku', message: 'unknown sku' });
        const items = body.items.map((i: { sku: string; quantity: number }) => ({ ...i, unitPriceCents: stock.get(i.sku)!.priceCents }));
        const order: FakeOrder = {
          seq: orders.length,
          orderId: randomUUID(),
          customerId: body.customerId,
          items,
          totalCents: items.reduce((sum: number, i: { quantity: number; unitPriceCents: number }) => sum + i.quantity * i.unitPriceCents, 0),
          status: 'PENDING',
          waiters: new Set(),
        };
        orders.push(order);
        history.push(`placed ${order.seq}`);
        byId.set(order.orderId, order);
        const after = behaviour.settleAfterMs?.(order.seq) ?? 10;
        if (after !== 'never') {
          const timer = setTimeout(() => {
            timers.delete(timer);
            settle(order, order.seq);
          }, after);
          timers.add(timer);
        }
        return send(202, { orderId: order.orderId, status: 'PENDING', totalCents: order.totalCents, items }, { location: `/orders/${order.orderId}` });
      }
      if (req.method === 'GET' && parts[0] === 'orders' && parts.length === 2) {
        const order = byId.get(parts[1]!);
        if (!order) return send(404, { error: 'not_found', message: 'no such order' });
        const view = () => ({ orderId: order.orderId, customerId: order.customerId, items: order.items, totalCents: order.totalCents, status: order.status });
        const until = url.searchParams.get('until')?.split(',');
        if (!until || until.includes(order.status)) return send(200, view());
        const timeoutMs = Math.min(30_000, Number(url.searchParams.get('timeoutMs') ?? 5_000));
        const done = () => {
          clearTimeout(timer);
          timers.delete(timer);
          order.waiters.delete(wake);
          if (!res.writableEnded) send(200, view(), until.includes(order.status) ? {} : { 'x-wait-timed-out': 'true' });
        };
        const wake = () => until.includes(order.status) && done();
        const timer = setTimeout(done, timeoutMs);
        timers.add(timer);
        order.waiters.add(wake);
        res.on('close', () => {
          clearTimeout(timer);
          timers.delete(timer);
          order.waiters.delete(wake);
        });
        return;
      }
      send(404, { error: 'not_found', message: `${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    orders,
    stock,
    balances,
    requests,
    history,
    async stop() {
      timers.forEach(clearTimeout);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
