/**
 * The workload: an open loop that starts one operation every 1/rate s whatever the shop answers,
 * each picked from a seeded PRNG, each a small story of requests (place, retry, cancel, dispatch…)
 * whose answers go into the ledger. Requests that get no definite answer are retried only where a
 * real client could do so safely: order placements carry an Idempotency-Key.
 */
import { randomUUID } from 'node:crypto';
import { seededRandom, type Random } from '@webshop/testing';
import type { Answer, Client } from './client';
import { addAmount, definite, story, type Ledger, type OrderStatus, type WorkloadKind } from './ledger';

export const catalogue = [
  { sku: 'CHAOS-TEA', priceCents: 450 },
  { sku: 'CHAOS-MUG', priceCents: 1200 },
  { sku: 'CHAOS-POT', priceCents: 3100 },
  { sku: 'CHAOS-BAG', priceCents: 250 },
  { sku: 'CHAOS-TIN', priceCents: 800 },
] as const;
export const SCARCE = { sku: 'CHAOS-SCARCE', priceCents: 100, stock: 5 };
export const INITIAL_STOCK = 100_000;
export const richCustomers = ['rich-0', 'rich-1', 'rich-2', 'rich-3', 'rich-4'];
export const INITIAL_BALANCE = 50_000_000;
export const POOR = { customerId: 'poor', balance: 100 };

const address = { name: 'Chaos Monkey', line1: '1 Fault Line', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' };

const weights: Array<[WorkloadKind, number]> = [
  ['normal', 30],
  ['poor', 5],
  ['unknown-account', 4],
  ['out-of-stock', 5],
  ['unknown-sku', 4],
  ['retry-sequential', 6],
  ['retry-concurrent', 4],
  ['clash', 4],
  ['cancel-pending', 5],
  ['cancel-confirmed', 5],
  ['cancel-race', 4],
  ['dispatch-deliver', 6],
  ['deposit', 5],
  ['restock', 5],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorOf = (a: Answer) => (a.body && typeof a.body === 'object' ? (a.body as { error?: string }).error : undefined);

export interface Workload {
  /** Operations started, and still running. */
  started: number;
  running: number;
  /** Resolves once the last operation started has finished. */
  done: Promise<void>;
}

export function pickKind(random: Random): WorkloadKind {
  const total = weights.reduce((a, [, w]) => a + w, 0);
  let r = random() * total;
  for (const [kind, w] of weights) if ((r -= w) < 0) return kind;
  return 'normal';
}

export function createOperations(client: Client, ledger: Ledger) {
  type Body = { customerId: string; email: string; items: Array<{ sku: string; quantity: number }>; shippingAddress: typeof address };
  const orderBody = (customerId: string, items: Array<{ sku: string; quantity: number }>): Body => ({ customerId, email: `${customerId}@example.com`, items, shippingAddress: address });

  /** POST /orders with the key, again while no definite answer came (up to 4 times). */
  async function place(op: number, kind: WorkloadKind, body: Body, key = randomUUID(), attempts = 4): Promise<Answer> {
    let answer!: Answer;
    for (let n = 0; n < attempts; n++) {
      answer = await client.send('orders', 'POST', '/orders', { body, headers: { 'idempotency-key': key }, op, kind });
      if (answer.status === 202) {
        const s = story(ledger, answer.body.orderId, kind, body.customerId);
        s.totals.push(answer.body.totalCents);
        s.seen.push(answer.body.status);
      }
      if (definite(answer.status)) return answer;
      await sleep(1_000 + n * 1_000);
    }
    return answer;
  }

  /** Waits (up to ~40 s) for one of `statuses`; records what it was shown. */
  async function until(op: number, kind: WorkloadKind, orderId: string, statuses: string): Promise<OrderStatus | undefined> {
    for (let n = 0; n < 4; n++) {
      const a = await client.send('orders', 'GET', `/orders/${orderId}?until=${statuses}&timeoutMs=10000`, { timeoutMs: 15_000, op, kind });
      if (a.status === 200) {
        const s = ledger.orders.get(orderId);
        s?.seen.push(a.body.status);
        if (!a.headers?.get('x-wait-timed-out')) return a.body.status;
      } else await sleep(1_000);
    }
    return undefined;
  }

  async function cancel(op: number, kind: WorkloadKind, orderId: string) {
    const a = await client.send('orders', 'POST', `/orders/${orderId}/cancel`, { op, kind, timeoutMs: 20_000 });
    const s = ledger.orders.get(orderId)!;
    s.cancels.push({ status: a.status, viewStatus: a.status === 202 ? a.body?.status : undefined, error: errorOf(a) });
    if (a.status === 202 && a.body?.status) s.seen.push(a.body.status);
  }

  /** POST /shipments/:id/<action>, again while the shipment is not there yet (404) or no answer came. */
  async function shipment(op: number, kind: WorkloadKind, orderId: string, action: 'dispatch' | 'deliver') {
    let a!: Answer;
    for (let n = 0; n < 5; n++) {
      a = await client.send('shipping', 'POST', `/shipments/${orderId}/${action}`, { op, kind, operator: true });
      if (a.status !== 404 && definite(a.status)) break;
      await sleep(500);
    }
    const s = ledger.orders.get(orderId)!;
    (action === 'dispatch' ? s.dispatches : s.delivers).push({ status: a.status, error: errorOf(a) });
  }

  return {
    orderBody,
    place,
    until,
    async run(op: number, kind: WorkloadKind, random: Random): Promise<void> {
      const rich = random.pick(richCustomers);
      const items = () => {
        const first = random.pick(catalogue);
        const lines = [{ sku: first.sku, quantity: 1 + random.int(3) }];
        const second = random.pick(catalogue);
        if (random.chance(0.3) && second.sku !== first.sku) lines.push({ sku: second.sku, quantity: 1 });
        return lines;
      };
      switch (kind) {
        case 'normal':
          await place(op, kind, orderBody(rich, items()));
          return;
        case 'poor':
          await place(op, kind, orderBody(POOR.customerId, [{ sku: 'CHAOS-POT', quantity: 1 }]));
          return;
        case 'unknown-account':
          await place(op, kind, orderBody(`ghost-${op}`, items()));
          return;
        case 'out-of-stock':
          await place(op, kind, orderBody(rich, [{ sku: SCARCE.sku, quantity: 1_000 }]));
          return;
        case 'unknown-sku': {
          const customerId = `nosku-${op}`;
          ledger.refusedCustomers.add(customerId);
          await place(op, kind, orderBody(customerId, [{ sku: `NOPE-${op}`, quantity: 1 }]));
          return;
        }
        case 'retry-sequential':
        case 'retry-concurrent':
        case 'clash': {
          const key = randomUUID();
          const body = orderBody(rich, items());
          const keyStory = { key, mode: kind === 'clash' ? ('clash' as const) : ('same' as const), answers: [] as Array<{ body: 'first' | 'second'; status: number; orderId?: string; error?: string }> };
          ledger.keys.set(key, keyStory);
          const note = (which: 'first' | 'second', a: Answer) => keyStory.answers.push({ body: which, status: a.status, orderId: a.body?.orderId, error: errorOf(a) });
          if (kind === 'retry-concurrent') {
            const answers = await Promise.all([place(op, kind, body, key), place(op, kind, body, key), place(op, kind, body, key)]);
            answers.forEach((a) => note('first', a));
            return;
          }
          note('first', await place(op, kind, body, key));
          if (kind === 'retry-sequential') note('first', await place(op, kind, body, key));
          // A different, valid body: the same lines to another name (adding a line could repeat a sku, a 400).
          else note('second', await place(op, kind, { ...body, shippingAddress: { ...body.shippingAddress, name: `${body.shippingAddress.name} Jr` } }, key));
          return;
        }
        case 'cancel-pending': {
          const a = await place(op, kind, orderBody(rich, items()));
          if (a.status === 202) await cancel(op, kind, a.body.orderId);
          return;
        }
        case 'cancel-confirmed':
        case 'cancel-race':
        case 'dispatch-deliver': {
          const a = await place(op, kind, orderBody(rich, items()));
          if (a.status !== 202) return;
          const orderId: string = a.body.orderId;
          const status = await until(op, kind, orderId, 'CONFIRMED,REJECTED,SHIPPED,DELIVERED,CANCELLED');
          if (status !== 'CONFIRMED') return;
          if (kind === 'cancel-confirmed') await cancel(op, kind, orderId);
          else if (kind === 'cancel-race') await Promise.all([cancel(op, kind, orderId), shipment(op, kind, orderId, 'dispatch')]);
          else {
            await shipment(op, kind, orderId, 'dispatch');
            if (ledger.orders.get(orderId)!.dispatches.some((d) => d.status === 202)) await shipment(op, kind, orderId, 'deliver');
          }
          return;
        }
        case 'deposit': {
          const amount = 1_000 + random.int(4_000);
          const a = await client.send('payment', 'POST', `/accounts/${rich}/deposits`, { body: { amountCents: amount }, op, kind, operator: true });
          addAmount(ledger.deposits, rich, amount, a.status);
          return;
        }
        case 'restock': {
          const { sku } = random.pick(catalogue);
          const quantity = 10 + random.int(90);
          const a = await client.send('stock', 'POST', `/products/${sku}/restock`, { body: { quantity }, op, kind, operator: true });
          addAmount(ledger.restocks, sku, quantity, a.status);
          return;
        }
        default:
          throw new Error(`no operation for ${kind}`);
      }
    },
  };
}

/** Sets up the catalogue and the accounts (through the API, retried until answered), and waits until orders knows every product. */
export async function seedShop(client: Client, ledger: Ledger): Promise<void> {
  const must = async (what: string, attempt: () => Promise<Answer>, ok: (a: Answer) => boolean = (a) => a.status === 200 || a.status === 201) => {
    for (let n = 0; n < 60; n++) {
      const a = await attempt();
      if (ok(a)) return a;
      await sleep(1_000);
    }
    throw new Error(`set-up: ${what} never succeeded`);
  };
  for (const p of [...catalogue, SCARCE]) {
    await must(`PUT /products/${p.sku}`, () => client.send('stock', 'PUT', `/products/${p.sku}`, { body: { name: `Chaos ${p.sku}`, priceCents: p.priceCents }, op: -1, kind: 'restock', operator: true }));
    const quantity = p.sku === SCARCE.sku ? SCARCE.stock : INITIAL_STOCK;
    await must(`restock ${p.sku}`, () => client.send('stock', 'POST', `/products/${p.sku}/restock`, { body: { quantity }, op: -1, kind: 'restock', operator: true }));
    addAmount(ledger.restocks, p.sku, quantity, 200);
  }
  for (const [customerId, amount] of [...richCustomers.map((c) => [c, INITIAL_BALANCE] as const), [POOR.customerId, POOR.balance] as const]) {
    await must(`deposit ${customerId}`, () => client.send('payment', 'POST', `/accounts/${customerId}/deposits`, { body: { amountCents: amount }, op: -1, kind: 'deposit', operator: true }));
    addAmount(ledger.deposits, customerId, amount, 200);
  }
  const ops = createOperations(client, ledger);
  for (const p of catalogue) {
    const body = ops.orderBody('rich-0', [{ sku: p.sku, quantity: 1 }]);
    // Orders learns of products over Kafka: 422 unknown_sku until it has.
    const a = await must(`the first order of ${p.sku}`, () => ops.place(-1, 'normal', body, randomUUID(), 1), (x) => x.status === 202);
    const status = await ops.until(-1, 'normal', a.body.orderId, 'CONFIRMED,REJECTED');
    if (status !== 'CONFIRMED') throw new Error(`set-up: the first order of ${p.sku} is ${status ?? 'not settled'}`);
  }
}

/** Starts the open loop: one operation every 1/rate s until `durationMs` is over. */
export function startWorkload({ rate, durationMs, seed, client, ledger }: { rate: number; durationMs: number; seed: number; client: Client; ledger: Ledger }): Workload {
  const random = seededRandom((seed ^ 0x0a11_0ad5) >>> 0);
  const ops = createOperations(client, ledger);
  const state: Workload = { started: 0, running: 0, done: Promise.resolve() };
  const count = Math.max(1, Math.floor(rate * (durationMs / 1000)));
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  state.done = (async () => {
    for (let op = 0; op < count; op++) {
      const due = start + (op * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const kind = pickKind(random);
      // Each operation its own stream, so a slow answer never changes what later ones do.
      const opRandom = seededRandom((seed + op * 7919) >>> 0);
      state.started += 1;
      state.running += 1;
      const p: Promise<void> = ops
        .run(op, kind, opRandom)
        .catch((error: unknown) => console.error(`operation ${op} (${kind}) failed: ${String(error)}`))
        .finally(() => {
          state.running -= 1;
          inFlight.delete(p);
        });
      inFlight.add(p);
    }
    await Promise.all([...inFlight]);
  })();
  return state;
}
