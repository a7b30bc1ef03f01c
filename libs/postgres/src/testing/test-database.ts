import { uniqueName } from '@webshop/testing-core';
import { createPool, databaseUrlFor, dropServiceDatabase, ensureServiceDatabase, type Pool } from '../index';

export interface TestDatabase {
  /** The database, and the name of the role that owns it. */
  name: string;
  /** Its own role's URL, as a service is given (ensureServiceDatabase): the owner, no superuser. */
  url: string;
  /** The same database as the server's superuser: for what no service may do. */
  adminUrl: string;
  /** A pool as its own role. */
  pool: Pool;
  /** Closes the pool and drops the database and its role. */
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set: run the tests through jest with the workspace preset');
  return url;
}

/**
 * A fresh, empty database of its own for one suite, made as a service's is (its own role owns it,
 * closed to every other role): runs never collide, never need cleaning, and run as a service would.
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const server = serverUrl();
  const { name, url } = await ensureServiceDatabase(server, uniqueName(`t_${prefix}`).slice(0, 63));
  const pool = createPool(url, { max: 10 });
  return {
    name,
    url,
    adminUrl: databaseUrlFor(server, name),
    pool,
    async drop() {
      await pool.end();
      await dropServiceDatabase(server, name);
    },
  };
}
