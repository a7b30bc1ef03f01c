/**
 * A service's database and the role that owns it: each service connects as its own role, which
 * owns its own database and has no rights on any other (no CONNECT: PUBLIC's is revoked on every
 * service database; no USAGE: PUBLIC's on the schema public is revoked too, so a connection got by
 * some other way still reads nothing). The role is named after the database (`orders`,
 * `<prefix>payment`, a test's `t_…`), so prefixed shops and test databases on one server each get
 * their own. It is a plain LOGIN role: no SUPERUSER, CREATEDB, CREATEROLE or REPLICATION.
 *
 * Run as a superuser (or a role with CREATEROLE and CREATEDB that may grant the database away).
 * Idempotent, and safe when several processes make the same database at once (jest workers, two
 * instances of a tool): each name is made under an advisory lock of its own, taken on the server's
 * `postgres` database. A database that exists already (made before roles, by `ensureDatabase` as
 * the superuser) is given to the role, with every schema, table, view and sequence in it, so its
 * service can still migrate it.
 */
import pg from 'pg';
import { checkedName, databaseUrlFor } from './databases';

export interface ServiceDatabase {
  /** The database, and the name of its role. */
  name: string;
  /** The role's URL: the server of `adminUrl`, the role as user (with its password, when given), its database. */
  url: string;
  /** Whether the database was created by this call. */
  created: boolean;
}

/** The URL a service connects with: its own role (and password), its own database, the server of `serverUrl`. */
export function serviceDatabaseUrl(serverUrl: string, name: string, password?: string): string {
  const parsed = new URL(databaseUrlFor(serverUrl, checkedName(name)));
  parsed.username = name;
  parsed.password = password ? encodeURIComponent(password) : '';
  return parsed.toString();
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined); // a lost connection fails the query in hand, never the process
  await client.connect();
  return client;
}

/**
 * Runs a CREATE; answers false when someone else made the object first: duplicate_object (42710),
 * duplicate_database (42P04) or a unique violation on the catalogue (23505), e.g. a service's own
 * `ensureDatabase` at the same moment, which takes no lock.
 */
async function create(client: pg.Client, statement: string): Promise<boolean> {
  try {
    await client.query(statement);
    return true;
  } catch (error) {
    if (['42710', '42P04', '23505'].includes((error as { code?: string }).code ?? '')) return false;
    throw error;
  }
}

/**
 * Makes (or fixes up) the role `name` and its database `name`, owned by it, closed to every other
 * role. With `password`, sets it as the role's password (without one, the role keeps the password it
 * has: a server with trust auth, as a test's, needs none).
 */
export async function ensureServiceDatabase(adminUrl: string, name: string, options: { password?: string } = {}): Promise<ServiceDatabase> {
  const role = `"${checkedName(name)}"`;
  const admin = await connect(databaseUrlFor(adminUrl, 'postgres'));
  let created = false;
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [`webshop:service-database:${name}`]);
    const roleExists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1;
    if (!roleExists) await create(admin, `CREATE ROLE ${role} LOGIN`);
    // Also for a role made earlier: it may log in, and it has none of the powers over the server.
    await admin.query(`ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`);
    // The password goes as a literal (ALTER ROLE takes no parameters); the server keeps only its hash.
    if (options.password) await admin.query(`ALTER ROLE ${role} PASSWORD ${admin.escapeLiteral(options.password)}`);
    const databaseExists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    if (!databaseExists) created = await create(admin, `CREATE DATABASE ${role} OWNER ${role}`);
    await admin.query(`ALTER DATABASE ${role} OWNER TO ${role}`);
    // CONNECT and TEMPORARY are PUBLIC's by default: only the owner (and superusers) may connect.
    await admin.query(`REVOKE ALL ON DATABASE ${role} FROM PUBLIC`);
    await giveContentsTo(databaseUrlFor(adminUrl, name), name);
  } finally {
    await admin.end(); // ends the session, and with it the advisory lock
  }
  return { name, url: serviceDatabaseUrl(adminUrl, name, options.password), created };
}

/**
 * Inside the database, as the superuser: the schema public (and any other) the role's own, PUBLIC's
 * rights on it revoked (PG 15 already denies PUBLIC CREATE there; USAGE goes too), and whatever was
 * made before the role existed handed over: tables (their indexes and serial sequences follow),
 * views, standalone sequences.
 */
async function giveContentsTo(databaseUrl: string, name: string): Promise<void> {
  const client = await connect(databaseUrl);
  try {
    const role = `"${name}"`;
    const { rows } = await client.query<{ statement: string }>(
      `SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $1::text) AS statement
         FROM pg_namespace n
        WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND n.nspowner <> $1::regrole
       UNION ALL
       SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, $1::text)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
          AND c.relowner <> $1::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))`,
      [name],
    );
    for (const { statement } of rows) await client.query(statement);
    await client.query(`REVOKE ALL ON SCHEMA public FROM PUBLIC`);
    await client.query(`GRANT ALL ON SCHEMA public TO ${role}`);
  } finally {
    await client.end();
  }
}

/** Drops the database (closing its connections) and then its role. */
export async function dropServiceDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = await connect(databaseUrlFor(adminUrl, 'postgres'));
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${checkedName(name)}" WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS "${name}"`);
  } finally {
    await admin.end();
  }
}
