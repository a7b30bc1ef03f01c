import pg from 'pg';

/** The same server and credentials as `url`, another database. */
export function databaseUrlFor(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkedName(name: string): string {
  if (!identifier.test(name)) throw new Error(`not a safe database name: ${JSON.stringify(name)}`);
  return name;
}

/** A short-lived client of the server's `postgres` database; a lost connection fails its query, never the process. */
async function connectToServer(serverUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrlFor(serverUrl, 'postgres'), connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Creates the database when it is missing. Returns true when it was created. Looks first by
 * connecting to the database itself: a service's own role (ensureServiceDatabase) may connect to
 * its database and need nothing of the server's `postgres` one; only a missing database (3D000)
 * is created, which takes a role that may (a superuser's URL, as a developer's DATABASE_URL).
 */
export async function ensureDatabase(serverUrl: string, name: string): Promise<boolean> {
  const own = new pg.Client({ connectionString: databaseUrlFor(serverUrl, checkedName(name)), connectionTimeoutMillis: 10_000 });
  own.on('error', () => undefined);
  try {
    await own.connect();
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw error; // e.g. 42501: this role may not connect
  } finally {
    await own.end().catch(() => undefined);
  }
  const client = await connectToServer(serverUrl);
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [checkedName(name)]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
      return true;
    } catch (error) {
      // Two processes creating the same database at once: the loser sees duplicate_database (42P04)
      // or a unique violation on pg_database (23505); either way the database now exists.
      const code = (error as { code?: string }).code;
      if (code === '42P04' || code === '23505') return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = await connectToServer(serverUrl);
  try {
    await client.query(`DROP DATABASE IF EXISTS "${checkedName(name)}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
