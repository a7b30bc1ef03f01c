/**
 * The shop section: the whole shop (five services, a private Postgres cluster and Kafka broker:
 * private-shop.ts) under the load tool (`npm run load`, run as a
 * process against it, so the figures are the load tool's own: latency from each order's scheduled
 * send time to CONFIRMED).
 *
 * 1. The highest sustainable order rate, by search (search.ts): a trial is one load run of
 *    `seconds` at the rate, then up to `DRAIN_S` for every order to become final.
 * 2. A run at half that rate: POST→CONFIRMED p50/p99; CPU ms per order of each process over the run
 *    (from /proc: each service's node process; the broker's java process; the Postgres cluster's
 *    postmaster and every process under it: backends, checkpointer, WAL writer and the rest) and
 *    each service's RSS at its end. The window includes the shop's idle work (relays renewing
 *    leases, consumers polling) and the load tool's set-up (a few products, deposits), all counted
 *    against the orders of the run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { serviceNames } from '@webshop/events';
import { createPool, databaseUrlFor } from '@webshop/postgres';
import { testOperatorToken, waitFor } from '@webshop/testing';
import type { SectionContext, SectionResult } from './hop';
import { allStats, cpuBetween, cpuByPid, descendants, readStat, type ProcStat } from './proc';
import { startPrivateShop, type PrivateShop } from './private-shop';
import type { Row } from './report';
import { judgeRun, runMedian, searchRate, type LoadRunSummary, type TrialResult } from './search';

const DRAIN_S = 30;
const MAX_TRIALS = 5;
const root = path.resolve(__dirname, '../../..');

interface LoadResults extends LoadRunSummary {
  latencyMs: { p50: number; p99: number; count: number };
  counts: { scheduled: number; confirmed: number; rejected: number; cancelled: number };
}

/** One `npm run load` against the shop; its results.json. */
async function loadRun(shop: PrivateShop, rate: number, seconds: number, out: string): Promise<LoadResults> {
  const url = (s: 'orders' | 'stock' | 'payment') => shop.services[s].url;
  const args = ['--rate', String(rate), '--duration', String(seconds), '--settle-timeout', String(DRAIN_S), '--out', out];
  args.push('--orders-url', url('orders'), '--stock-url', url('stock'), '--payment-url', url('payment'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps/shop-e2e/src/load/cli.ts'), ...args], {
    cwd: root,
    env: { ...process.env, ADMIN_TOKEN: testOperatorToken, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    return { allFinal: results.check.allFinal, httpErrors: results.check.httpErrors, series: results.series, latencyMs: results.latencyMs, counts: results.counts };
  } catch {
    throw new Error(`the load run at ${rate}/s left no results (exit ${code}): ${stderr}`);
  }
}

/** The broker's java process: the one whose environment carries its port (kafka.sh passes KAFKA_PORTS on). */
function brokerPid(port: string): number | undefined {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('java')) continue;
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (environ.some((e) => e.startsWith('KAFKA_PORTS=') && e.slice('KAFKA_PORTS='.length).split(',').includes(port))) return Number(name);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/** The cluster's postmaster: the postgres process listening on `port` (its command line says -p <port>). */
function postmasterPid(port: number): number | undefined {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('postgres') && argv.join(' ').includes(`-p ${port}`)) return Number(name);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** The processes to account for, by group: each service, the broker, Postgres. */
function processGroups(shop: PrivateShop): Record<string, (stats: ProcStat[]) => ProcStat[]> {
  const groups: Record<string, (stats: ProcStat[]) => ProcStat[]> = {};
  for (const name of serviceNames) groups[name] = (stats) => stats.filter((s) => s.pid === shop.services[name].child.pid);
  const java = brokerPid(shop.broker.brokers[0]!.split(':')[1]!);
  groups['kafka broker'] = (stats) => stats.filter((s) => s.pid === java);
  const postmaster = postmasterPid(shop.postgres.port);
  groups['postgres'] = (stats) => (postmaster === undefined ? [] : descendants(stats, postmaster));
  return groups;
}

export async function runShopSection(ctx: SectionContext): Promise<SectionResult> {
  const out = path.join(ctx.out, 'shop');
  const started = Date.now();
  ctx.log('shop: starting a private shop (postgres cluster, broker, five services)');
  mkdirSync(path.join(out, 'logs'), { recursive: true });
  const shop = await startPrivateShop({ logDir: path.join(out, 'logs'), cleanups: ctx.cleanups });
  ctx.log(`shop: ready after ${Math.round((Date.now() - started) / 1000)} s`);
  // A trial the shop could not keep up with leaves orders in flight: the next starts once they are final.
  const orders = createPool(databaseUrlFor(shop.postgres.url, 'orders'), { max: 1 });
  ctx.cleanups.add('orders pool', () => orders.end());
  const quiet = () =>
    waitFor(async () => (await orders.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE status = 'PENDING'`)).rows[0]!.n === 0, {
      timeoutMs: 300_000,
      intervalMs: 1_000,
      description: 'every order of the last trial final',
    });

  let lowest: number | undefined;
  let referenceMs: number | undefined;
  const search = await searchRate({
    startRate: 4,
    maxRate: 400,
    precision: 0.2,
    maxTrials: MAX_TRIALS,
    trial: async (rate): Promise<TrialResult> => {
      await quiet();
      ctx.log(`shop: trial at ${rate} orders/s for ${ctx.seconds} s`);
      const run = await loadRun(shop, rate, ctx.seconds, path.join(out, `trial-${rate}`));
      const verdict = judgeRun(rate, run, ctx.seconds, referenceMs === undefined ? {} : { referenceMs });
      if (verdict.sustainable && (lowest === undefined || rate < lowest)) [lowest, referenceMs] = [rate, runMedian(run.series)];
      ctx.log(`shop: ${rate}/s ${verdict.sustainable ? 'sustainable' : 'not sustainable'}: ${verdict.why}`);
      return verdict;
    },
  });
  if (search.best === 0) throw new Error(`no rate was sustainable: ${JSON.stringify(search.trials)}`);

  const half = Math.round((search.best / 2) * 10) / 10;
  ctx.log(`shop: ${half} orders/s (half of ${search.best}) for ${ctx.seconds} s, with CPU and memory`);
  await quiet();
  const groups = processGroups(shop);
  const sampleGroups = () => {
    const stats = allStats();
    return Object.fromEntries(Object.entries(groups).map(([name, pick]) => [name, pick(stats)]));
  };
  const before = sampleGroups();
  const run = await loadRun(shop, half, ctx.seconds, path.join(out, `half-${half}`));
  const after = sampleGroups();
  const placed = run.counts.scheduled;
  const cpuPerOrder = Object.fromEntries(Object.keys(groups).map((name) => [name, cpuBetween(cpuByPid(before[name]!), cpuByPid(after[name]!)) / placed]));
  const rss = Object.fromEntries(serviceNames.map((name) => [name, (readStat(shop.services[name].child.pid!)?.rssBytes ?? 0) / 2 ** 20]));

  const rows: Row[] = [
    { section: 'shop', figure: 'highest sustainable rate', unit: 'orders/s', value: search.best },
    { section: 'shop', figure: `POST→CONFIRMED p50 at ${half}/s`, unit: 'ms', value: run.latencyMs.p50 },
    { section: 'shop', figure: `POST→CONFIRMED p99 at ${half}/s`, unit: 'ms', value: run.latencyMs.p99 },
    ...Object.entries(cpuPerOrder).map(([name, ms]) => ({ section: 'shop', figure: `CPU per order: ${name}`, unit: 'ms', value: ms })),
    { section: 'shop', figure: 'CPU per order: all of the above', unit: 'ms', value: Object.values(cpuPerOrder).reduce((a, b) => a + b, 0) },
    ...Object.entries(rss).map(([name, mb]) => ({ section: 'shop', figure: `RSS: ${name}`, unit: 'MB', value: mb })),
  ];
  return { rows, details: { trials: search.trials, best: search.best, half, halfRun: { counts: run.counts, latencyMs: run.latencyMs, allFinal: run.allFinal }, cpuMsPerOrder: cpuPerOrder, rssMb: rss, out } };
}
