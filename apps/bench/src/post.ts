/**
 * The post section: POST /orders with `CONNECTIONS` connections, each sending its next request as
 * soon as its last was answered, for `seconds` (after a warm-up of `WARMUP_S`), against the real
 * orders service (a process on a private database and topics) and against bare express + one
 * INSERT (bare-post-server.ts, a process too), one after the other in the same run. req/s and
 * latency p50/p99 of each.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { topics } from '@webshop/events';
import { connectProducer, createQuietKafka, encodeRecord } from '@webshop/kafka';
import { createHistogram, createTestDatabase, freePort, startServiceProcess, waitFor } from '@webshop/testing';
import type { SectionContext, SectionResult } from './hop';
import type { Row } from './report';

const CONNECTIONS = 10;
const WARMUP_S = 3;
const root = path.resolve(__dirname, '../../..');

export const SKU = 'BENCH-TEA';

/** The product orders must know of before it accepts an order of it: stock's event, as stock would publish it. */
export async function announceProduct(brokers: string[], topicPrefix: string): Promise<void> {
  const producer = await connectProducer(createQuietKafka({ clientId: 'bench-catalogue', brokers }));
  try {
    const data = { sku: SKU, name: 'Bench tea', priceCents: 100, available: 1_000_000, reserved: 0, updatedAt: new Date().toISOString() };
    const { key, value, headers } = encodeRecord({ type: 'ProductUpdated', data }, 'stock');
    await producer.send(topicPrefix + topics.products.name, [{ key, value, headers }]);
  } finally {
    await producer.disconnect();
  }
}

const order = (n: number) =>
  JSON.stringify({
    customerId: `bench-${n % 50}`,
    email: `bench-${n % 50}@example.com`,
    items: [{ sku: SKU, quantity: 1 + (n % 3) }],
    shippingAddress: { name: 'Bench', line1: '1 High St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
  });

interface PostFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Answers other than 202, by status ('none' for no answer). */
  failed: Record<string, number>;
  aFailure?: string;
}

/** Closed loop: `CONNECTIONS` workers, each one request at a time, for `seconds`. */
async function hammer(url: string, seconds: number): Promise<PostFigures> {
  const latency = createHistogram();
  const failed: Record<string, number> = {};
  let lastFailure: string | undefined;
  let n = 0;
  const run = async (until: number, measure: boolean) => {
    const worker = async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const res = await fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: order(n++) }).catch(() => undefined);
        const text = await res?.text();
        if (res && res.status !== 202 && Object.keys(failed).length === 0 && measure) lastFailure = text;
        if (!measure) continue;
        if (res?.status === 202) latency.record(performance.now() - started);
        else failed[res?.status ?? 'none'] = (failed[res?.status ?? 'none'] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  };
  await run(performance.now() + WARMUP_S * 1000, false);
  const started = performance.now();
  await run(started + seconds * 1000, true);
  const elapsedS = (performance.now() - started) / 1000;
  return { requestsPerSecond: latency.count / elapsedS, p50: latency.percentile(50), p99: latency.percentile(99), failed, ...(lastFailure ? { aFailure: lastFailure.slice(0, 300) } : {}) };
}

export async function runPostSection(ctx: SectionContext): Promise<SectionResult> {
  const logDir = path.join(ctx.out, 'post');
  mkdirSync(logDir, { recursive: true });
  const bareDb = await createTestDatabase('bench_post_bare');
  ctx.cleanups.add('bare post database', () => bareDb.drop());
  const barePort = await freePort();
  const bare = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bare-post-server.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: bareDb.url, PORT: String(barePort), TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  ctx.cleanups.add('bare post server', async () => {
    if (bare.exitCode === null) bare.kill('SIGTERM');
  });
  let bareReady = false;
  bare.stdout!.on('data', (chunk: Buffer) => (bareReady ||= chunk.toString().includes('ready')));
  await waitFor(() => bareReady, { timeoutMs: 60_000, description: 'the bare POST server listening' });
  ctx.log(`post: bare express + INSERT, ${CONNECTIONS} connections, ${ctx.seconds} s`);
  const baseline = await hammer(`http://127.0.0.1:${barePort}`, ctx.seconds);
  bare.kill('SIGTERM');

  const db = await createTestDatabase('bench_post_orders');
  ctx.cleanups.add('orders database', () => db.drop());
  const orders = await startServiceProcess({
    name: 'orders',
    port: await freePort(),
    env: {
      KAFKA_BROKERS: ctx.brokers.join(','),
      DATABASE_URL: db.url,
      TOPIC_PREFIX: `${ctx.prefix}post.`,
      LOG_LEVEL: 'warn',
      KAFKA_PARTITIONS: '3',
      ADMIN_TOKENS: randomBytes(16).toString('hex'),
    },
    logFile: path.join(logDir, 'orders.log'),
    readyTimeoutMs: 180_000,
  }).catch((error: unknown) => {
    throw new Error(`the orders service did not start: ${String(error)}`);
  });
  ctx.cleanups.add('orders service', () => orders.stop('SIGTERM'));
  await announceProduct(ctx.brokers, `${ctx.prefix}post.`);
  await waitFor(
    async () => (await fetch(`${orders.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: order(0) })).status === 202,
    { timeoutMs: 120_000, intervalMs: 500, description: `orders knows of ${SKU}` },
  );
  ctx.log(`post: the orders service, ${CONNECTIONS} connections, ${ctx.seconds} s`);
  const project = await hammer(orders.url, ctx.seconds);
  await orders.stop('SIGTERM');

  const name = 'bare express + INSERT';
  const rows: Row[] = [
    { section: 'post', figure: `POST /orders, ${CONNECTIONS} connections`, unit: 'req/s', value: project.requestsPerSecond, baseline: baseline.requestsPerSecond, baselineName: name },
    { section: 'post', figure: 'POST /orders p50', unit: 'ms', value: project.p50, baseline: baseline.p50, baselineName: name },
    { section: 'post', figure: 'POST /orders p99', unit: 'ms', value: project.p99, baseline: baseline.p99, baselineName: name },
  ];
  return { rows, details: { connections: CONNECTIONS, warmupS: WARMUP_S, seconds: ctx.seconds, project, baseline, logDir } };
}
