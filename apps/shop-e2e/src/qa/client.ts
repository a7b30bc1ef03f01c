/** A small client for the shop's HTTP APIs, as QA drives them: only the contract, nothing inside. */
import { randomUUID } from 'node:crypto';

export interface ShopUrls {
  orders: string;
  payment: string;
  stock: string;
  shipping: string;
  email: string;
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = any>(base: string, method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await fetch(`${base}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** Polls `read` until `done` holds, or fails naming what it waited for. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

export const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

export type Order = { orderId: string; status: string; totalCents: number; rejectionReason?: string };

/**
 * The shop's APIs in the words of the order flow. Products, deposits, dispatch and deliver are the
 * operator's: they send `operatorToken` as `Authorization: Bearer` (`operator`, for calls of one's own).
 */
export function shopClient(urls: ShopUrls, operatorToken?: string) {
  const operator: Record<string, string> = operatorToken ? { authorization: `Bearer ${operatorToken}` } : {};
  const self = {
    urls,
    operator,
    /** Creates a product with stock. Orders learns of it a moment later, over Kafka (see `place`). */
    async product(sku: string, priceCents: number, quantity: number) {
      const put = await call(urls.stock, 'PUT', `/products/${sku}`, { name: `Product ${sku}`, priceCents }, operator);
      if (put.status !== 201 && put.status !== 200) throw new Error(`PUT /products/${sku}: ${put.status} ${JSON.stringify(put.body)}`);
      if (quantity > 0) {
        const restock = await call(urls.stock, 'POST', `/products/${sku}/restock`, { quantity }, operator);
        if (restock.status !== 200) throw new Error(`restock ${sku}: ${restock.status} ${JSON.stringify(restock.body)}`);
      }
    },
    async deposit(customerId: string, amountCents: number) {
      const res = await call(urls.payment, 'POST', `/accounts/${customerId}/deposits`, { amountCents }, operator);
      if (res.status !== 200) throw new Error(`deposit: ${res.status} ${JSON.stringify(res.body)}`);
    },
    balance: async (customerId: string) => (await call(urls.payment, 'GET', `/accounts/${customerId}`)).body.balanceCents as number,
    stockOf: async (sku: string) => (await call(urls.stock, 'GET', `/products/${sku}`)).body as { available: number; reserved: number },
    payment: async (orderId: string) => (await call(urls.payment, 'GET', `/payments/${orderId}`)).body,
    /**
     * Places an order. Orders prices from its own copy of the catalogue, which follows the products
     * topic a moment behind stock: a 422 unknown_sku (which creates nothing) is tried again for a while.
     */
    async place(customerId: string, items: Array<{ sku: string; quantity: number }>, headers: Record<string, string> = {}): Promise<Order> {
      const body = { customerId, email: `${customerId}@example.com`, items, shippingAddress: address };
      const res = await eventually(
        () => call<Order>(urls.orders, 'POST', '/orders', body, headers),
        (a) => !(a.status === 422 && (a.body as unknown as { error: string }).error === 'unknown_sku'),
        `orders to know ${items.map((i) => i.sku).join(', ')}`,
      );
      if (res.status !== 202) throw new Error(`POST /orders: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async until(orderId: string, statuses: string, timeoutMs = 30_000): Promise<Order> {
      const res = await call<Order>(urls.orders, 'GET', `/orders/${orderId}?until=${statuses}&timeoutMs=${timeoutMs}`);
      if (res.headers.get('x-wait-timed-out')) throw new Error(`order ${orderId} did not reach ${statuses} in ${timeoutMs} ms: ${res.body.status}`);
      return res.body;
    },
    /** A product and a customer of a scenario's own (unique names): `stock` units at `priceCents`, `funds` in the account. */
    async setUp({ sku, customer, priceCents, stock, funds }: { sku: string; customer: string; priceCents: number; stock: number; funds: number }) {
      const names = { sku: unique(sku), customer: unique(customer) };
      await self.product(names.sku, priceCents, stock);
      await self.deposit(names.customer, funds);
      return names;
    },
    /** Places an order and waits until it is CONFIRMED or REJECTED. */
    async placeAndSettle(customerId: string, items: Array<{ sku: string; quantity: number }>) {
      const order = await self.place(customerId, items);
      return { order, final: await self.until(order.orderId, 'CONFIRMED,REJECTED') };
    },
    /** Places an order that must be CONFIRMED, and waits for its shipment to be SCHEDULED. */
    async placeConfirmed(customerId: string, items: Array<{ sku: string; quantity: number }>) {
      const { order, final } = await self.placeAndSettle(customerId, items);
      if (final.status !== 'CONFIRMED') throw new Error(`order ${order.orderId} is ${final.status} (${final.rejectionReason}), not CONFIRMED`);
      await self.shipment(order.orderId, 'SCHEDULED');
      return order;
    },
    /** POST /shipments/:orderId/dispatch or /deliver as the operator; the status it answered. */
    ship: async (orderId: string, step: 'dispatch' | 'deliver') => (await call(urls.shipping, 'POST', `/shipments/${orderId}/${step}`, undefined, operator)).status,
    cancel: (orderId: string) => call(urls.orders, 'POST', `/orders/${orderId}/cancel`, {}),
    emails: (orderId: string, count: number) =>
      eventually(async () => (await call<Array<{ template: string; to: string }>>(urls.email, 'GET', `/emails?orderId=${orderId}`)).body, (e) => e.length >= count, `${count} emails about ${orderId}`),
    shipment: (orderId: string, status: string) =>
      eventually(() => call(urls.shipping, 'GET', `/shipments/${orderId}`), (a) => a.status === 200 && a.body.status === status, `shipment of ${orderId} ${status}`),
  };
  return self;
}
export type ShopClient = ReturnType<typeof shopClient>;
