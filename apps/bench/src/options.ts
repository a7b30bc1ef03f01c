/**
 * Command-line options of the benchmark suite. Anything wrong is a UsageError naming the flag.
 */
import path from 'node:path';
import { parseFlags, timestampDir, UsageError } from '@webshop/testing';

export const sections = ['hop', 'post', 'shop'] as const;
export type Section = (typeof sections)[number];

export const usage = `Usage: npm run bench -- [options]

Measures the shop beside bare baselines taken in the same run, and prints each figure, its
baseline and the ratio:
  hop    one hop (consume → transaction: inbox, state, outbox → publish): bare kafkajs + pg
         (set-based, 100 records a transaction) vs the project's consumer runner + outbox + relay;
         events/s and hop latency p50/p90/p99; the relay's idle wake-up cost over a used outbox
  post   POST /orders, 10 connections: the orders service vs bare express + one INSERT
  shop   the whole shop (private Postgres cluster and broker): the highest sustainable order rate
         (searched), POST→CONFIRMED p50/p99 at half of it, CPU ms per order per process, RSS

  --only <hop|post|shop>   one section (repeatable: --only hop --only post); default all
  --seconds <n>            length of each measured run (default 20)
  --out <dir>              where bench.json and bench.html go (default dist/bench/<timestamp>)
  -h, --help               this text

Runs on private databases and topics (hop, post: on $DATABASE_URL and $KAFKA_BROKERS, default the
local Postgres and the plain local broker, KAFKA_SECURITY=plain npm run kafka:start, 127.0.0.1:9092)
and removes them afterwards, also on Ctrl-C. With OTEL_EXPORTER_OTLP_ENDPOINT set, the project's
side records and exports its spans as a service does (the cost of tracing on). Exit 0 when every
section ran.`;

export { UsageError };

export interface BenchOptions {
  only: Section[];
  seconds: number;
  out: string;
}

export type ParsedArgs = { help: true } | { help: false; options: BenchOptions };

export function parseOptions(argv: readonly string[], { now = new Date(), cwd = process.cwd() } = {}): ParsedArgs {
  const values = parseFlags(argv, {
    only: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { help: true };
  const only = values.only ?? [...sections];
  for (const s of only) if (!sections.includes(s as Section)) throw new UsageError(`--only must be one of ${sections.join(', ')}; got "${s}"`);
  const seconds = values.seconds === undefined ? 20 : Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 3 || seconds > 600) throw new UsageError(`--seconds must be a whole number from 3 to 600; got "${values.seconds}"`);
  if (values.out !== undefined && values.out.trim() === '') throw new UsageError('--out must not be empty');
  const out = path.resolve(cwd, values.out ?? path.join('dist/bench', timestampDir(now)));
  return { help: false, options: { only: [...new Set(only as Section[])], seconds, out } };
}
