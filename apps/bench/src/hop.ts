/**
 * The hop section: one hop (consume → one transaction: inbox, state, outbox → publish) on the same
 * workload, through the bare baseline (bare-hop.ts) and through the project's consumer runner +
 * outbox + relay, wired as a service wires them (libs/service-kit/src/service.ts).
 *
 * Workload: `THROUGHPUT_EVENTS` ProductUpdated records over `KEYS` keys, all produced at once
 * (events/s = records ÷ time from the first send to the last re-published record's arrival); then
 * `PACED_RATE` records a second for `seconds`, for the hop latency: from the time the record was
 * sent (carried in its `updatedAt`) to the re-published record's arrival at a reader, both clocks
 * this process's. Between the two, for the project's hop only, the relay's idle cost over the
 * outbox the throughput phase left behind: the CPU of the database backends serving that database
 * (from /proc) while nothing happens, per relay wake-up (an idle relay wakes once a second to renew
 * its lease and look for rows).
 */
import { randomUUID } from 'node:crypto';
import { decodeEvent, topics, type EventData } from '@webshop/events';
import {
  appendToOutbox,
  connectProducer,
  createConsumerRunner,
  createOutboxRelay,
  createQuietKafka,
  encodeRecord,
  ensureTopics,
  messagingMigrations,
  startReader,
  type KafkaClient,
} from '@webshop/kafka';
import { createPool, migrate, type Pool } from '@webshop/postgres';
import { createHistogram, createTestDatabase, uniqueName, waitFor } from '@webshop/testing';
import { bareHopSchema, startBareHop } from './bare-hop';
import type { Cleanups } from './cleanups';
import { cpuBetween, cpuByPid, readStat } from './proc';
import type { Row } from './report';

export const THROUGHPUT_EVENTS = 20_000;
export const KEYS = 100;
export const PACED_RATE = 100;
const IDLE_WINDOW_MS = 20_000;
/** An idle relay's wake-ups a second: it comes back every leaseMs / 3 (1 s by default) to renew its lease. */
const IDLE_WAKEUPS_PER_SECOND = 1;

export interface SectionContext {
  brokers: string[];
  /** The run's topic prefix (ends in '.'). */
  prefix: string;
  seconds: number;
  /** The run's directory: sections leave their logs and raw results under it. */
  out: string;
  cleanups: Cleanups;
  log: (line: string) => void;
}

export interface SectionResult {
  rows: Row[];
  details: Record<string, unknown>;
}

interface HopFigures {
  eventsPerSecond: number;
  /** CPU of the database backends serving the hop's database, per event, in the throughput phase. */
  databaseCpuMsPerEvent: number;
  /** CPU of this process (the hop, and the bench's producer and reader, the same for both hops) per event. */
  processCpuMsPerEvent: number;
  p50: number;
  p90: number;
  p99: number;
  idle?: IdleFigures;
}

interface IdleFigures {
  cpuMsPerWakeup: number;
  /** Shared buffers the outbox's tables and indexes were read through, per wake-up (pg_statio_user_tables). */
  buffersPerWakeup: number;
  outboxRows: number;
  deadTuples: number;
}

const event = (index: number, sentAt: number): EventData<'ProductUpdated'> => ({
  sku: `sku-${index % KEYS}`,
  name: `Product ${index % KEYS}`,
  priceCents: 1000,
  available: index,
  reserved: 0,
  updatedAt: new Date(sentAt).toISOString(),
});

const recordOf = (index: number) => {
  const { key, value, headers } = encodeRecord({ type: 'ProductUpdated', data: event(index, Date.now()), eventId: randomUUID() }, 'stock');
  return { key, value, headers };
};

/** Runs the workload through a hop that reads `from` and re-publishes on `to`. */
async function measureHop(
  ctx: SectionContext,
  kafka: KafkaClient,
  backendsCpu: () => Promise<Map<number, number>>,
  name: string,
  from: string,
  to: string,
  startHop: () => Promise<{ stop(): Promise<void> }>,
  whileIdle?: () => Promise<IdleFigures>,
): Promise<HopFigures> {
  await ensureTopics(kafka, [from, to], 3);
  const latency = createHistogram();
  let arrived = 0;
  let lastArrival = 0;
  const reader = await startReader(kafka, { groupId: uniqueName('bench-reader'), topics: [to] }, (record) => {
    const now = Date.now();
    const { data } = decodeEvent(record.value!) as unknown as { data: EventData<'ProductUpdated'> };
    if (data.available >= THROUGHPUT_EVENTS) latency.record(now - Date.parse(data.updatedAt));
    arrived += 1;
    lastArrival = now;
  });
  ctx.cleanups.add(`${name} reader`, () => reader.stop());
  const hop = await startHop();
  ctx.cleanups.add(`${name} hop`, () => hop.stop());
  const producer = await connectProducer(kafka);
  ctx.cleanups.add(`${name} producer`, () => producer.disconnect());

  ctx.log(`hop ${name}: ${THROUGHPUT_EVENTS.toLocaleString('en-US')} records at once`);
  const databaseBefore = await backendsCpu();
  const processBefore = process.cpuUsage();
  const started = Date.now();
  for (let i = 0; i < THROUGHPUT_EVENTS; i += 500) {
    await producer.send(from, Array.from({ length: Math.min(500, THROUGHPUT_EVENTS - i) }, (_, k) => recordOf(i + k)));
  }
  await waitFor(() => arrived >= THROUGHPUT_EVENTS, { timeoutMs: 900_000, intervalMs: 50, description: `${name}: ${THROUGHPUT_EVENTS} records re-published` });
  const eventsPerSecond = THROUGHPUT_EVENTS / ((lastArrival - started) / 1000);
  const databaseCpuMsPerEvent = cpuBetween(databaseBefore, await backendsCpu()) / THROUGHPUT_EVENTS;
  const cpu = process.cpuUsage(processBefore);
  const processCpuMsPerEvent = (cpu.user + cpu.system) / 1000 / THROUGHPUT_EVENTS;
  ctx.log(`hop ${name}: ${Math.round(eventsPerSecond)} events/s`);

  const idle = whileIdle ? await whileIdle() : undefined;

  const paced = PACED_RATE * ctx.seconds;
  ctx.log(`hop ${name}: ${PACED_RATE} records/s for ${ctx.seconds} s, for the latency`);
  const pacedStart = Date.now();
  for (let sent = 0; sent < paced; ) {
    const due = Math.min(paced, Math.floor(((Date.now() - pacedStart) / 1000) * PACED_RATE) + 1);
    if (due > sent) {
      await producer.send(from, Array.from({ length: due - sent }, (_, k) => recordOf(THROUGHPUT_EVENTS + sent + k)));
      sent = due;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await waitFor(() => arrived >= THROUGHPUT_EVENTS + paced, { timeoutMs: 300_000, intervalMs: 50, description: `${name}: paced records re-published` });
  return { eventsPerSecond, databaseCpuMsPerEvent, processCpuMsPerEvent, p50: latency.percentile(50), p90: latency.percentile(90), p99: latency.percentile(99), ...(idle ? { idle } : {}) };
}

/** CPU so far (ms) of each database backend serving `database`, from /proc (the server runs on this machine). */
const backendsCpuOf = (server: Pool, database: string) => async () => {
  const { rows } = await server.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
  return cpuByPid(rows.map((r) => readStat(r.pid)).filter((s) => s !== undefined));
};

/** The CPU the database backends serving `database` used during an idle window, per relay wake-up. */
async function idleCost(sample: () => Promise<Map<number, number>>, pool: Pool): Promise<IdleFigures> {
  // The outbox's table (`outbox`, or `outbox_pending` since the relay moves published rows out) and its indexes.
  const buffers = async () =>
    (
      await pool.query<{ n: string }>(
        `SELECT coalesce(sum(heap_blks_hit + heap_blks_read + coalesce(idx_blks_hit, 0) + coalesce(idx_blks_read, 0)), 0)::text AS n
         FROM pg_statio_user_tables WHERE relname IN ('outbox', 'outbox_pending')`,
      )
    ).rows[0]!.n;
  // Past the last batch: a backend reports its table statistics up to 10 s late (PGSTAT_IDLE_INTERVAL).
  await new Promise((r) => setTimeout(r, 12_000));
  const before = await sample();
  const buffersBefore = Number(await buffers());
  await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
  const after = await sample();
  const buffersAfter = Number(await buffers());
  const wakeups = (IDLE_WINDOW_MS / 1000) * IDLE_WAKEUPS_PER_SECOND;
  const outbox = await pool.query<{ rows: number; dead: number }>(
    `SELECT (SELECT count(*) FROM outbox)::int AS rows, (SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'outbox')::int AS dead`,
  );
  return {
    cpuMsPerWakeup: cpuBetween(before, after) / wakeups,
    buffersPerWakeup: (buffersAfter - buffersBefore) / wakeups,
    outboxRows: outbox.rows[0]!.rows,
    deadTuples: outbox.rows[0]!.dead ?? 0,
  };
}

export async function runHopSection(ctx: SectionContext): Promise<SectionResult> {
  const kafka = createQuietKafka({ clientId: 'bench-hop', brokers: ctx.brokers });

  const bareDb = await createTestDatabase('bench_bare');
  ctx.cleanups.add('bare hop database', () => bareDb.drop());
  await bareDb.pool.query(bareHopSchema);
  const server = createPool(process.env['DATABASE_URL']!, { max: 1 });
  ctx.cleanups.add('server pool', () => server.end());
  const bare = await measureHop(ctx, kafka, backendsCpuOf(server, bareDb.name), 'bare', `${ctx.prefix}bare-in.products`, `${ctx.prefix}bare-out.products`, async () => {
    const hop = await startBareHop({ brokers: ctx.brokers, pool: bareDb.pool, from: `${ctx.prefix}bare-in.products`, to: `${ctx.prefix}bare-out.products`, groupId: uniqueName('bench-bare') });
    await hop.joined;
    return hop;
  });

  const db = await createTestDatabase('bench_hop');
  ctx.cleanups.add('project hop database', () => db.drop());
  await migrate(db.pool, [...messagingMigrations, { id: '100_bench_state', sql: 'CREATE TABLE bench_state (sku text PRIMARY KEY, seq int NOT NULL)' }]);
  const project = await measureHop(
    ctx,
    kafka,
    backendsCpuOf(server, db.name),
    'project',
    `${ctx.prefix}project-in.${topics.products.name}`,
    `${ctx.prefix}project-out.${topics.products.name}`,
    async () => {
      const runner = createConsumerRunner({
        kafka,
        pool: db.pool,
        service: 'orders',
        groupId: uniqueName('bench-project'),
        topics: [topics.products],
        topicPrefix: `${ctx.prefix}project-in.`,
        handlers: {
          ProductUpdated: async (incoming, tx) => {
            await tx.query('INSERT INTO bench_state (sku, seq) VALUES ($1, $2) ON CONFLICT (sku) DO UPDATE SET seq = EXCLUDED.seq', [incoming.data.sku, incoming.data.available]);
            await appendToOutbox(tx, 'stock', [{ type: 'ProductUpdated', data: incoming.data }]);
          },
        },
      });
      const relay = createOutboxRelay({ pool: db.pool, kafka, service: 'stock', topicPrefix: `${ctx.prefix}project-out.` });
      await runner.start();
      relay.start();
      await waitFor(() => runner.isRunning(), { timeoutMs: 120_000, description: 'the project hop consuming' });
      return { stop: async () => void (await Promise.all([runner.stop(), relay.stop()])) };
    },
    () => idleCost(backendsCpuOf(server, db.name), db.pool),
  );

  const baseline = 'bare kafkajs + pg';
  const rows: Row[] = [
    { section: 'hop', figure: 'events/s', unit: '/s', value: project.eventsPerSecond, baseline: bare.eventsPerSecond, baselineName: baseline },
    { section: 'hop', figure: 'database CPU per event', unit: 'ms', value: project.databaseCpuMsPerEvent, baseline: bare.databaseCpuMsPerEvent, baselineName: baseline },
    { section: 'hop', figure: 'hop process CPU per event', unit: 'ms', value: project.processCpuMsPerEvent, baseline: bare.processCpuMsPerEvent, baselineName: baseline },
    { section: 'hop', figure: `latency p50 at ${PACED_RATE}/s`, unit: 'ms', value: project.p50, baseline: bare.p50, baselineName: baseline },
    { section: 'hop', figure: `latency p90 at ${PACED_RATE}/s`, unit: 'ms', value: project.p90, baseline: bare.p90, baselineName: baseline },
    { section: 'hop', figure: `latency p99 at ${PACED_RATE}/s`, unit: 'ms', value: project.p99, baseline: bare.p99, baselineName: baseline },
    { section: 'hop', figure: `relay idle wake-up, database CPU (outbox after ${THROUGHPUT_EVENTS.toLocaleString('en-US')} events)`, unit: 'ms', value: project.idle!.cpuMsPerWakeup },
    { section: 'hop', figure: 'relay idle wake-up, outbox buffers read', unit: 'pages', value: project.idle!.buffersPerWakeup },
  ];
  return { rows, details: { workload: { throughputEvents: THROUGHPUT_EVENTS, keys: KEYS, pacedRate: PACED_RATE, pacedSeconds: ctx.seconds }, bare, project } };
}
