/**
 * One load run against a running shop:
 *
 *   1. set-up through the APIs, before the clock starts: products of its own (stocked for the
 *      worst case of the whole run) and customer accounts (funded for the worst case), so every
 *      order should be CONFIRMED;
 *   2. warm-up: one order per product, retried while orders answers 422 unknown_sku (its copy of
 *      the catalogue arrives over Kafka), then awaited until final; these orders are not counted;
 *   3. the open loop: order i is sent at start + i / rate, and followed with the blocking read
 *      until it is final; its latency runs from its scheduled send time to the moment it is seen
 *      settled;
 *   4. settle: after the last send, wait up to the settle timeout for the orders still open, then
 *      abort what remains and count it as not final.
 */
import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { LoadOptions } from './options';
import { runOpenLoop, scheduledCount } from './open-loop';
import { HttpFailure, isAbort, shopClient, type PlaceOrder, type SettledStatus, type ShopClient } from './shop-client';
import { createTally, type Counts, type FinalStatus, type LatencySummary, type Sample, type SecondStats } from './tally';

/** What payment accepts in one deposit (apps/payment: MAX_DEPOSIT_CENTS); larger sums are split. */
export const MAX_DEPOSIT_CENTS = 100_000_000_00;
/** The runaway guard: past this many open orders, due orders are counted as errors, not sent. */
export const MAX_IN_FLIGHT = 5_000;
const MAX_LINES = 3;
const MAX_QUANTITY = 2;
const SETUP_CONCURRENCY = 16;
const shippingAddress = { name: 'Load Tester', line1: '1 Benchmark Road', city: 'Loadville', postalCode: 'LT1 1LT', country: 'GB' };

export class SetupError extends Error {
  override name = 'SetupError';
}

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}

export interface RunPlan {
  runId: string;
  products: Product[];
  customers: string[];
  warmUpCustomer: string;
  orders: number;
  stockPerSku: number;
  fundsPerCustomerCents: number;
  warmUpFundsCents: number;
}

/** The run's own catalogue and accounts, sized so that no order can run short, whatever the dice say. */
export function planRun(options: Pick<LoadOptions, 'rate' | 'durationS' | 'customers' | 'skus'>, runId: string): RunPlan {
  const products = Array.from({ length: options.skus }, (_, i) => ({
    sku: `LOAD-${runId}-${i + 1}`,
    name: `Load test product ${i + 1} (${runId})`,
    priceCents: 100 + ((i * 37) % 900),
  }));
  const orders = scheduledCount(options.rate, options.durationS * 1000);
  const maxPrice = Math.max(...products.map((p) => p.priceCents));
  const maxOrderCents = Math.min(MAX_LINES, options.skus) * MAX_QUANTITY * maxPrice;
  return {
    runId,
    products,
    customers: Array.from({ length: options.customers }, (_, i) => `load-${runId}-${i + 1}`),
    warmUpCustomer: `load-${runId}-warmup`,
    orders,
    // As if every order took the most of every product (plus the one warm-up order)...
    stockPerSku: orders * MAX_QUANTITY + 1,
    // ...and as if every order, at the largest possible total, went to the same customer.
    fundsPerCustomerCents: orders * maxOrderCents,
    warmUpFundsCents: products.reduce((sum, p) => sum + p.priceCents, 0),
  };
}

const emailOf = (customerId: string) => `${customerId}@load.example.com`;
const pick = (n: number, random: () => number) => Math.min(n - 1, Math.floor(random() * n));

/** A random customer, 1-3 distinct products, 1-2 of each. */
export function randomOrder(plan: RunPlan, random: () => number): PlaceOrder {
  const customerId = plan.customers[pick(plan.customers.length, random)]!;
  const lines = 1 + pick(Math.min(MAX_LINES, plan.products.length), random);
  const chosen = new Set<number>();
  while (chosen.size < lines) chosen.add(pick(plan.products.length, random));
  return {
    customerId,
    email: emailOf(customerId),
    items: [...chosen].map((i) => ({ sku: plan.products[i]!.sku, quantity: 1 + pick(MAX_QUANTITY, random) })),
    shippingAddress,
  };
}

export const newRunId = () => `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;

export interface Progress {
  phase: 'sending' | 'settling';
  elapsedS: number;
  counts: Counts;
  /** Latency of the orders confirmed since the previous progress report. */
  recent: { count: number; p50: number; p99: number };
}

export interface RunDeps {
  client?: ShopClient;
  /** A monotonic clock in ms. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  runId?: string;
  /** Called once a second while sending and settling. */
  onProgress?: (progress: Progress) => void;
  /** Set-up messages. */
  log?: (line: string) => void;
  /** Stops sending early (Ctrl-C); the orders already sent still settle. */
  signal?: AbortSignal;
  /** The `timeoutMs` of each blocking read (at most 30 000). */
  longPollMs?: number;
  /** How long the warm-up may wait for the catalogue to arrive, and then for its orders to be final. */
  warmUpTimeoutMs?: number;
  maxInFlight?: number;
}

export interface RunResult {
  runId: string;
  startedAt: string;
  finishedAt: string;
  options: LoadOptions;
  interrupted: boolean;
  counts: Omit<Counts, 'inFlight'>;
  errorsByKind: Record<string, number>;
  throughput: { offeredPerSecond: number; confirmedPerSecond: number; spanS: number };
  /** Over confirmed orders, in ms from the scheduled send time. */
  latency: LatencySummary;
  series: SecondStats[];
  samples: readonly Sample[];
  /** How late the scheduler sent at worst: large values mean the generator itself could not keep up. */
  schedulerMaxLagMs: number;
  check: { allFinal: boolean; httpErrors: number; interrupted: boolean; passed: boolean };
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const finalStatusOf = (status: SettledStatus): FinalStatus => (status === 'SHIPPED' || status === 'DELIVERED' ? 'CONFIRMED' : status);

export async function runLoad(options: LoadOptions, deps: RunDeps = {}): Promise<RunResult> {
  const client = deps.client ?? shopClient(options);
  const now = deps.now ?? (() => performance.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const log = deps.log ?? (() => undefined);
  const longPollMs = Math.min(30_000, deps.longPollMs ?? 30_000);
  const warmUpTimeoutMs = deps.warmUpTimeoutMs ?? 30_000;
  const maxInFlight = deps.maxInFlight ?? MAX_IN_FLIGHT;
  const plan = planRun(options, deps.runId ?? newRunId());

  await setUp(plan, client, log);
  await warmUp(plan, client, { now, sleep, log, longPollMs, timeoutMs: warmUpTimeoutMs });

  // ---- the run: the clock starts here ----
  const tally = createTally();
  const open = new Set<Promise<void>>();
  const deadline = new AbortController();
  setMaxListeners(0, deadline.signal); // one listener per open request, thousands at a time
  const startedAt = new Date();
  const runStart = now();
  let phase: Progress['phase'] = 'sending';
  const ticker = deps.onProgress
    ? setInterval(() => deps.onProgress!({ phase, elapsedS: (now() - runStart) / 1000, counts: { ...tally.counts }, recent: tally.takeRecent() }), 1000)
    : undefined;

  async function follow(scheduledAt: number, scheduledMs: number): Promise<void> {
    try {
      const placed = await client.placeOrder(randomOrder(plan, random), deadline.signal);
      if (!placed.placed) throw new HttpFailure('POST /orders → 422 unknown_sku', 'orders forgot a product it knew at warm-up');
      for (;;) {
        const answer = await client.waitForOrder(placed.orderId, longPollMs, deadline.signal);
        if (answer.settled) {
          const seenAt = now();
          tally.final(scheduledMs, seenAt - scheduledAt, finalStatusOf(answer.status), seenAt - runStart);
          return;
        }
      }
    } catch (error) {
      if (isAbort(error)) tally.unfinished();
      else if (error instanceof HttpFailure) tally.failed(error.kind);
      else tally.failed(`unexpected ${(error as Error).name}: ${(error as Error).message}`);
    }
  }

  let loop;
  try {
    loop = await runOpenLoop({
      ratePerSecond: options.rate,
      durationMs: options.durationS * 1000,
      now,
      sleep,
      signal: deps.signal,
      send(index, scheduledAt) {
        const scheduledMs = (index * 1000) / options.rate;
        if (tally.counts.inFlight >= maxInFlight) {
          tally.notSent(`not sent: ${maxInFlight} orders already in flight`);
          return;
        }
        tally.sent(scheduledMs);
        const order = follow(scheduledAt, scheduledMs).finally(() => open.delete(order));
        open.add(order);
      },
    });

    // ---- settle: give the open orders until the settle timeout, then give up on them ----
    phase = 'settling';
    const sendingEndedAt = now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.allSettled([...open]).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), options.settleTimeoutS * 1000))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      deadline.abort();
      await Promise.allSettled([...open]);
    }

    const sendingSpanS = loop.stoppedEarly ? (sendingEndedAt - runStart) / 1000 : options.durationS;
    const spanS = Math.max(sendingSpanS, tally.lastFinalMs() / 1000);
    const { inFlight: _inFlight, ...counts } = tally.counts;
    const interrupted = loop.stoppedEarly;
    const allFinal = counts.notFinal === 0;
    return {
      runId: plan.runId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options,
      interrupted,
      counts,
      errorsByKind: tally.errorsByKind(),
      throughput: { offeredPerSecond: counts.scheduled / sendingSpanS, confirmedPerSecond: counts.confirmed / spanS, spanS },
      latency: tally.latency(),
      series: tally.series(Math.ceil(sendingSpanS - 1e-9)),
      samples: tally.samples,
      schedulerMaxLagMs: loop.maxLagMs,
      check: { allFinal, httpErrors: counts.errors, interrupted, passed: allFinal && counts.errors === 0 && !interrupted },
    };
  } finally {
    clearInterval(ticker);
    deadline.abort();
  }
}

async function setUp(plan: RunPlan, client: ShopClient, log: (line: string) => void): Promise<void> {
  log(
    `run ${plan.runId}: ${plan.orders} orders; set-up: ${plan.products.length} products with ${plan.stockPerSku} in stock each, ` +
      `${plan.customers.length} accounts with ${plan.fundsPerCustomerCents} cents each`,
  );
  try {
    await forEachLimited(plan.products, SETUP_CONCURRENCY, async ({ sku, name, priceCents }) => {
      await client.putProduct(sku, { name, priceCents });
      await client.restock(sku, plan.stockPerSku);
    });
    const accounts = [...plan.customers.map((c) => [c, plan.fundsPerCustomerCents] as const), [plan.warmUpCustomer, plan.warmUpFundsCents] as const];
    await forEachLimited(accounts, SETUP_CONCURRENCY, async ([customerId, cents]) => {
      for (let left = cents; left > 0; left -= MAX_DEPOSIT_CENTS) await client.deposit(customerId, Math.min(left, MAX_DEPOSIT_CENTS));
    });
  } catch (error) {
    throw new SetupError((error as Error).message);
  }
}

/**
 * Orders prices from its own copy of the catalogue, which arrives over Kafka a moment after the
 * products were created. Rather than let the first measured orders bounce off 422 unknown_sku
 * (which would distort their latency), one uncounted order per product waits the catalogue out,
 * and is followed to its final status: the whole flow works before the clock starts.
 */
async function warmUp(
  plan: RunPlan,
  client: ShopClient,
  { now, sleep, log, longPollMs, timeoutMs }: { now: () => number; sleep: (ms: number) => Promise<void>; log: (line: string) => void; longPollMs: number; timeoutMs: number },
): Promise<void> {
  log(`warm-up: one order per product, until orders knows all ${plan.products.length} and they are final`);
  await forEachLimited(plan.products, 32, async ({ sku }) => {
    const order = { customerId: plan.warmUpCustomer, email: emailOf(plan.warmUpCustomer), items: [{ sku, quantity: 1 }], shippingAddress };
    try {
      let until = now() + timeoutMs;
      let placed = await client.placeOrder(order);
      while (!placed.placed) {
        if (now() > until) throw new SetupError(`${sku} did not reach the orders catalogue within ${timeoutMs / 1000} s (POST /orders kept answering 422 unknown_sku)`);
        await sleep(100);
        placed = await client.placeOrder(order);
      }
      until = now() + timeoutMs;
      for (;;) {
        const answer = await client.waitForOrder(placed.orderId, Math.max(1, Math.min(longPollMs, until - now())));
        if (answer.settled) {
          if (finalStatusOf(answer.status) !== 'CONFIRMED') {
            throw new SetupError(`the warm-up order ${placed.orderId} for ${sku} ended ${answer.status}, though its stock and money were there`);
          }
          return;
        }
        if (now() >= until) throw new SetupError(`the warm-up order ${placed.orderId} for ${sku} was not final after ${timeoutMs / 1000} s`);
      }
    } catch (error) {
      throw error instanceof SetupError ? error : new SetupError(`warm-up: ${(error as Error).message}`);
    }
  });
}
