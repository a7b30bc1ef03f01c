import { createPool, databaseUrlFor, dropDatabase, ensureDatabase, type Pool } from '@webshop/postgres';
import { uniqueName } from './unique-name';

export interface TestDatabase {
  name: string;
  url: string;
  pool: Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through jest with the workspace preset');
  return url;
}

/** A fresh, empty database of its own for one suite: runs never collide and never need cleaning. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const server = serverUrl();
  const name = uniqueName(`t_${prefix}`).slice(0, 63);
  await ensureDatabase(server, name);
  const url = databaseUrlFor(server, name);
  const pool = createPool(url, { max: 10 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await dropDatabase(server, name);
    },
  };
}
