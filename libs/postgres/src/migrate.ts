import type { Pool } from './pool';
import { withTransaction } from './pool';

export interface Migration {
  /** Ordered, never renamed once released: "001_orders". */
  id: string;
  sql: string;
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in id order, each in its own
 * transaction. An advisory lock keeps two instances starting at once from racing.
 */
export async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<string[]> {
  const ids = migrations.map((m) => m.id);
  if (new Set(ids).size !== ids.length) throw new Error(`duplicate migration ids: ${ids.join(', ')}`);
  const sorted = [...migrations].sort((a, b) => a.id.localeCompare(b.id));
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['schema_migrations']);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const migration of sorted) {
      if (done.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
      applied.push(migration.id);
    }
    return applied;
  });
}
