/**
 * `npm run bench -- [options]` (options.ts, `--help`): the benchmark suite. Runs the sections asked
 * for, one after the other, prints the table (figure, project, baseline, ratio) and writes
 * bench.json and bench.html. Everything a section sets up (databases, topics, processes, a private
 * shop) is removed at the end, also after a failure or Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { otlpEndpointOf, startTracing } from '@webshop/tracing';
import { deleteTopicsWithPrefix } from './bare-hop';
import { createCleanups } from './cleanups';
import { runHopSection, type SectionContext, type SectionResult } from './hop';
import { parseOptions, usage, UsageError, type Section } from './options';
import { runPostSection } from './post';
import { formatTable, writeReport, type Row } from './report';
import { runShopSection } from './shop';

const runners: Record<Section, (ctx: SectionContext) => Promise<SectionResult>> = { hop: runHopSection, post: runPostSection, shop: runShopSection };

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`bench: ${error.message}\n\n${usage}`);
    return 2;
  }
  if (parsed.help) {
    console.log(usage);
    return 0;
  }
  const { options } = parsed;
  process.env['DATABASE_URL'] ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env['KAFKA_BROKERS'] ??= '127.0.0.1:9092';
  const log = (line: string) => console.error(`bench: ${line}`);
  const brokers = process.env['KAFKA_BROKERS'].split(',').map((b) => b.trim());
  const prefix = `bench-${Date.now().toString(36)}${randomBytes(2).toString('hex')}.`;
  const cleanups = createCleanups();
  // As a service's main does: the trace context always, spans recorded only when an endpoint is set.
  const tracing = await startTracing({ service: 'bench' });
  if (tracing.recording) log(`tracing on: spans are exported over OTLP to ${otlpEndpointOf(process.env)}`);
  cleanups.add('tracing', () => tracing.shutdown());
  cleanups.add('topics', async () => log(`deleted ${await deleteTopicsWithPrefix(brokers, prefix)} topics`));
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => (cleaning ??= cleanups.runAll(log));
  process.once('SIGINT', () => {
    log('interrupted: cleaning up');
    void cleanUp().finally(() => process.exit(130));
  });

  const rows: Row[] = [];
  const details: Record<string, unknown> = { options, prefix, startedAt: new Date().toISOString() };
  let failed = false;
  try {
    for (const section of options.only) {
      log(`section ${section}`);
      try {
        const result = await runners[section]({ brokers, prefix, seconds: options.seconds, out: options.out, cleanups, log });
        rows.push(...result.rows);
        details[section] = result.details;
      } catch (error) {
        failed = true;
        log(`section ${section} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        details[section] = { error: String(error) };
      }
    }
  } finally {
    await cleanUp();
  }
  details['finishedAt'] = new Date().toISOString();
  console.log(formatTable(rows));
  const files = await writeReport(options.out, `npm run bench (${options.only.join(', ')}, ${options.seconds} s runs)`, rows, details);
  console.log(`\nresults  ${files.json}\n         ${files.html}`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
