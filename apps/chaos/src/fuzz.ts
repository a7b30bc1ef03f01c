/**
 * The fuzz step: thousands of hostile requests over every endpoint of every service (the shared
 * generators of @webshop/testing: bad JSON, wrong types, huge and negative numbers, NUL and other
 * control characters, very long strings, `__proto__` keys, oversized bodies, wrong content types).
 * A write must be refused with a 4xx, a read may answer but never 5xx, and nothing stored may change.
 */
import { hostileRequests, sendHostileRequests, tableFingerprint, type FuzzEndpoint } from '@webshop/testing';
import pg from 'pg';
import { serviceNames, type ServiceName } from './schedule';
import type { Shop } from './supervisor';

export function fuzzEndpoints(known: { orderId: string; sku: string; customerId: string }): Record<ServiceName, FuzzEndpoint[]> {
  const address = { name: 'Fuzz', line1: '1 Road', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' };
  return {
    orders: [
      { method: 'POST', path: '/orders', body: { customerId: known.customerId, email: 'fuzz@example.com', items: [{ sku: known.sku, quantity: 1 }], shippingAddress: address }, headers: { 'idempotency-key': 'fuzz-key' } },
      { method: 'GET', path: '/orders/{id}', params: { id: known.orderId }, query: { until: 'CONFIRMED', timeoutMs: '1' }, readOnly: true },
      { method: 'GET', path: '/orders', query: { customerId: known.customerId, limit: '5' }, readOnly: true },
      { method: 'GET', path: '/orders/{id}/timeline', params: { id: known.orderId }, readOnly: true },
      { method: 'POST', path: '/orders/{id}/cancel', params: { id: '00000000-0000-4000-8000-000000000000' }, readOnly: true },
    ],
    payment: [
      { method: 'POST', path: '/accounts/{id}/deposits', params: { id: known.customerId }, body: { amountCents: 100 } },
      { method: 'GET', path: '/accounts/{id}', params: { id: known.customerId }, readOnly: true },
      { method: 'GET', path: '/payments/{id}', params: { id: known.orderId }, readOnly: true },
    ],
    stock: [
      { method: 'PUT', path: '/products/{sku}', params: { sku: known.sku }, body: { name: 'Renamed', priceCents: 999 } },
      { method: 'POST', path: '/products/{sku}/restock', params: { sku: known.sku }, body: { quantity: 5 } },
      { method: 'GET', path: '/products/{sku}', params: { sku: known.sku }, readOnly: true },
      { method: 'GET', path: '/products', readOnly: true },
    ],
    shipping: [
      { method: 'GET', path: '/shipments/{id}', params: { id: known.orderId }, readOnly: true },
      { method: 'POST', path: '/shipments/{id}/dispatch', params: { id: '00000000-0000-4000-8000-000000000000' }, readOnly: true },
      { method: 'POST', path: '/shipments/{id}/deliver', params: { id: '00000000-0000-4000-8000-000000000000' }, readOnly: true },
    ],
    email: [{ method: 'GET', path: '/emails', query: { orderId: known.orderId, to: 'rich-0@example.com' }, readOnly: true }],
  };
}

/** Each service's stored state, by the columns a request could change (not the relay's published_at). */
const tables: Record<ServiceName, Record<string, string>> = {
  orders: { orders: '*', idempotency_keys: '*', timeline: 'event_id', outbox: 'id, event_id' },
  payment: { accounts: '*', deposits: '*', payments: '*', outbox: 'id, event_id' },
  stock: { products: '*', reservations: '*', outbox: 'id, event_id' },
  shipping: { shipments: '*', outbox: 'id, event_id' },
  email: { emails: 'email_id, order_id, template, status', outbox: 'id, event_id' },
};

export interface FuzzOutcome {
  sent: number;
  byStatus: Record<string, number>;
  failures: string[];
}

export async function runFuzz(shop: Shop, known: { orderId: string; sku: string; customerId: string }, { seed, count }: { seed: number; count: number }): Promise<FuzzOutcome> {
  const pools = Object.fromEntries(serviceNames.map((s) => [s, new pg.Pool({ connectionString: shop.databaseUrl[s], max: 1 })])) as Record<ServiceName, pg.Pool>;
  for (const p of Object.values(pools)) p.on('error', () => undefined);
  try {
    const fingerprints = async () => Object.fromEntries(await Promise.all(serviceNames.map(async (s) => [s, await tableFingerprint(pools[s] as never, tables[s])] as const)));
    const before = await fingerprints();
    const endpoints = fuzzEndpoints(known);
    const byStatus: Record<string, number> = {};
    const failures: string[] = [];
    const perService = Math.ceil(count / serviceNames.length);
    let sent = 0;
    for (const [n, service] of serviceNames.entries()) {
      const requests = hostileRequests(endpoints[service], { seed: seed + n, count: perService });
      const writes = new Set(endpoints[service].filter((e) => !e.readOnly).map((e) => `${e.method} ${e.path}`));
      const results = await sendHostileRequests(shop.pick(service).url, requests);
      sent += results.length;
      for (const [i, r] of results.entries()) {
        byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
        const endpoint = endpoints[service][i % endpoints[service].length]!;
        const isWrite = writes.has(`${endpoint.method} ${endpoint.path}`);
        if (r.status >= 500 || (isWrite && (r.status < 400 || r.status >= 500))) {
          failures.push(`${service} ${r.request.method} ${r.request.path.slice(0, 80)} [${r.request.what.join('; ').slice(0, 120)}] → ${r.status} ${JSON.stringify(r.body).slice(0, 120)}`);
        }
      }
    }
    const after = await fingerprints();
    for (const s of serviceNames) for (const t of Object.keys(tables[s])) if (before[s]![t] !== after[s]![t]) failures.push(`${s}.${t} changed: ${before[s]![t]} → ${after[s]![t]}`);
    return { sent, byStatus, failures };
  } finally {
    await Promise.all(Object.values(pools).map((p) => p.end()));
  }
}
