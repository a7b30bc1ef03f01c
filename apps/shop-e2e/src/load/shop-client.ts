/**
 * The calls the load generator makes to the shop (docs/architecture.md, "HTTP API"), over Node's global
 * fetch, which keeps connections alive and does not cap connections per origin (an open loop
 * must not queue behind a pool). Every non-expected answer is an HttpFailure whose `kind` names
 * the call and what went wrong, e.g. `POST /orders → 503 unavailable`.
 */

export class HttpFailure extends Error {
  override name = 'HttpFailure';
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * True for a request we aborted ourselves (the settle deadline), which is no failure of the shop.
 * By name, not instanceof: fetch throws a DOMException, whose Error may be another realm's.
 */
export const isAbort = (error: unknown) => {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
};

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

const errorCode = (body: unknown) =>
  body && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : undefined;

/** `what` names the call in error kinds with ids left out, so failures of one kind count together. */
async function call(what: string, url: string, init: { method: string; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> }): Promise<Answer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
    text = await response.text();
  } catch (error) {
    if (isAbort(error)) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new HttpFailure(`${what} → network error ${reason}`, `${what} (${url}) failed: ${reason}`);
  }
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the message.
  }
  return { status: response.status, headers: response.headers, body };
}

function unexpected(what: string, url: string, answer: Answer): HttpFailure {
  const code = errorCode(answer.body);
  const message = typeof answer.body === 'object' ? JSON.stringify(answer.body) : String(answer.body ?? '');
  return new HttpFailure(`${what} → ${answer.status}${code ? ` ${code}` : ''}`, `${what} (${url}) answered ${answer.status}: ${message.slice(0, 500)}`);
}

export interface OrderLine {
  sku: string;
  quantity: number;
}

export interface PlaceOrder {
  customerId: string;
  email: string;
  items: OrderLine[];
  shippingAddress: { name: string; line1: string; city: string; postalCode: string; country: string };
}

/** Statuses that settle a load-test order. SHIPPED and DELIVERED come only after CONFIRMED. */
export const settledStatuses = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'SHIPPED', 'DELIVERED'] as const;
export type SettledStatus = (typeof settledStatuses)[number];

export type PlaceResult = { placed: true; orderId: string } | { placed: false; unknownSku: true };
export type WaitResult = { settled: true; status: SettledStatus } | { settled: false };

/** The set-up's calls (products, restocks, deposits) are the operator's: they send `operatorToken` as a Bearer token. */
export function shopClient(urls: { ordersUrl: string; stockUrl: string; paymentUrl: string }, operatorToken?: string) {
  const headers: Record<string, string> = operatorToken ? { authorization: `Bearer ${operatorToken}` } : {};
  return {
    async putProduct(sku: string, product: { name: string; priceCents: number }): Promise<void> {
      const url = `${urls.stockUrl}/products/${encodeURIComponent(sku)}`;
      const answer = await call('PUT /products/:sku', url, { method: 'PUT', body: product, headers });
      if (answer.status !== 200 && answer.status !== 201) throw unexpected('PUT /products/:sku', url, answer);
    },

    async restock(sku: string, quantity: number): Promise<void> {
      const url = `${urls.stockUrl}/products/${encodeURIComponent(sku)}/restock`;
      const answer = await call('POST /products/:sku/restock', url, { method: 'POST', body: { quantity }, headers });
      if (answer.status !== 200) throw unexpected('POST /products/:sku/restock', url, answer);
    },

    async deposit(customerId: string, amountCents: number): Promise<void> {
      const url = `${urls.paymentUrl}/accounts/${encodeURIComponent(customerId)}/deposits`;
      const answer = await call('POST /accounts/:id/deposits', url, { method: 'POST', body: { amountCents }, headers });
      if (answer.status !== 200) throw unexpected('POST /accounts/:id/deposits', url, answer);
    },

    /** 202 → the order id; 422 unknown_sku → not placed (the catalogue has not caught up); else a failure. */
    async placeOrder(order: PlaceOrder, signal?: AbortSignal): Promise<PlaceResult> {
      const url = `${urls.ordersUrl}/orders`;
      const answer = await call('POST /orders', url, { method: 'POST', body: order, signal });
      if (answer.status === 422 && errorCode(answer.body) === 'unknown_sku') return { placed: false, unknownSku: true };
      const orderId = (answer.body as { orderId?: unknown } | undefined)?.orderId;
      if (answer.status !== 202 || typeof orderId !== 'string') throw unexpected('POST /orders', url, answer);
      return { placed: true, orderId };
    },

    /**
     * The blocking read: answers as soon as the order is settled, or after `timeoutMs` (at most
     * 30 000) with `settled: false`.
     */
    async waitForOrder(orderId: string, timeoutMs: number, signal?: AbortSignal): Promise<WaitResult> {
      const url = `${urls.ordersUrl}/orders/${encodeURIComponent(orderId)}?until=${settledStatuses.join(',')}&timeoutMs=${Math.round(timeoutMs)}`;
      const answer = await call('GET /orders/:id', url, { method: 'GET', signal });
      if (answer.status !== 200) throw unexpected('GET /orders/:id', url, answer);
      const status = (answer.body as { status?: unknown } | undefined)?.status;
      return settledStatuses.includes(status as SettledStatus) ? { settled: true, status: status as SettledStatus } : { settled: false };
    },
  };
}

export type ShopClient = ReturnType<typeof shopClient>;
