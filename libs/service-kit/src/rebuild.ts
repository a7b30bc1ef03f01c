/**
 * Rebuilds a stopped service's read models from the topics, in its own database, and compares them
 * with the view they replaced (`npm run rebuild -- <service>`, or `main.ts --rebuild`).
 *
 *   1. refuses while the service runs (its consumer group has members): a live consumer would
 *      write into tables being rebuilt;
 *   2. in one transaction: copies each projection table into a schema of its own
 *      (`rebuild_<time>`), then empties the tables;
 *   3. replays every topic the service reads, from the beginning, through the service's projection
 *      handlers only (workflows do not run: nothing is decided or published again);
 *   4. compares each table with its copy, row by row, over the columns a replay reproduces;
 *      drops the copy when they agree, keeps it (and says where) when they do not.
 *
 * Folds are idempotent, so when the service starts again and re-reads what it had not committed,
 * its projections change nothing; its workflows then act on those events as they would have.
 */
import { createAdmin, replayTopics, type EventHandlers } from '@webshop/kafka';
import type { Pool } from '@webshop/postgres';
import type { Logger } from './logger';
import type { ServiceDefinition } from './service';

export interface ProjectionTable {
  name: string;
  /** The columns a replay reproduces (all when omitted); not, say, a position taken at insert. */
  columns?: readonly string[];
}

export interface ProjectionsDefinition {
  tables: readonly ProjectionTable[];
  /** The consumer's handlers in replay mode: projections only. */
  handlers: (deps: { logger: Logger }) => EventHandlers;
}

export interface TableComparison {
  table: string;
  before: number;
  after: number;
  /** Rows of the old view the rebuild did not produce, and rows it produced the old view lacked. */
  missing: number;
  extra: number;
  samples: { missing: unknown[]; extra: unknown[] };
}

export interface RebuildReport {
  service: string;
  records: number;
  ms: number;
  tables: TableComparison[];
  identical: boolean;
  /** Where the old view is kept when the rebuild differs from it. */
  keptIn: string | null;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function rebuildProjections(
  definition: { name: ServiceDefinition['name']; consumes?: { topics: ReadonlyArray<{ name: string }> }; projections?: ProjectionsDefinition },
  deps: { pool: Pool; kafka: Parameters<typeof replayTopics>[0]['kafka']; topicPrefix: string; logger: Logger },
): Promise<RebuildReport> {
  const { pool, kafka, topicPrefix, logger } = deps;
  const projections = definition.projections;
  if (!projections || !definition.consumes) throw new Error(`${definition.name} keeps no read model of the topics: there is nothing to rebuild`);
  const groupId = `${topicPrefix}${definition.name}`;

  const admin = createAdmin(kafka);
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups[0]?.members.length ?? 0;
    if (members > 0) {
      throw new Error(
        `${definition.name} is running (${members} member${members === 1 ? '' : 's'} in consumer group ${groupId}): stop it first` +
          ' (an instance killed without a clean stop stays a member until its 10 s session runs out)',
      );
    }
  } finally {
    await admin.disconnect();
  }

  const schema = `rebuild_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const tables = projections.tables;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE SCHEMA ${quote(schema)}`);
    for (const { name } of tables) await client.query(`CREATE TABLE ${quote(schema)}.${quote(name)} AS TABLE ${quote(name)}`);
    await client.query(`TRUNCATE ${tables.map((t) => quote(t.name)).join(', ')}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  logger.info('the old view is copied aside and the tables emptied; replaying the topics', { schema, tables: tables.map((t) => t.name) });

  const { records, ms, groupId: replayGroup } = await replayTopics({
    kafka,
    pool,
    service: definition.name,
    topics: definition.consumes.topics,
    topicPrefix,
    handlers: projections.handlers({ logger }),
  });
  // The replay's own inbox entries: a group that is gone now.
  await pool.query('DELETE FROM inbox WHERE consumer = $1', [replayGroup]);

  const comparisons: TableComparison[] = [];
  for (const { name, columns } of tables) {
    const cols = columns ? columns.map(quote).join(', ') : '*';
    const now = `SELECT ${cols} FROM ${quote(name)}`;
    const old = `SELECT ${cols} FROM ${quote(schema)}.${quote(name)}`;
    const count = async (sql: string) => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`)).rows[0]!.n;
    const sample = async (sql: string) => (await pool.query(`${sql} LIMIT 5`)).rows;
    comparisons.push({
      table: name,
      before: await count(old),
      after: await count(now),
      missing: await count(`${old} EXCEPT ALL ${now}`),
      extra: await count(`${now} EXCEPT ALL ${old}`),
      samples: { missing: await sample(`${old} EXCEPT ALL ${now}`), extra: await sample(`${now} EXCEPT ALL ${old}`) },
    });
  }
  const identical = comparisons.every((c) => c.missing === 0 && c.extra === 0);
  if (identical) await pool.query(`DROP SCHEMA ${quote(schema)} CASCADE`);
  return { service: definition.name, records, ms, tables: comparisons, identical, keptIn: identical ? null : schema };
}

/** The report as a person reads it. */
export function formatRebuildReport(report: RebuildReport): string {
  const lines = [`rebuilt ${report.service}'s read models from ${report.records} records in ${report.ms} ms`];
  for (const t of report.tables) {
    const verdict = t.missing === 0 && t.extra === 0 ? 'identical' : `${t.missing} rows of the old view missing, ${t.extra} new rows`;
    lines.push(`  ${t.table}: ${t.before} rows before, ${t.after} after: ${verdict}`);
  }
  lines.push(report.identical ? 'the rebuilt view is the view it replaced' : `the rebuilt view differs; the old one is kept in schema ${report.keptIn}`);
  return lines.join('\n');
}
