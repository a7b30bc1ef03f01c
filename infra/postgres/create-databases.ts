/**
 * Makes each service's database and the role that owns it (libs/postgres ensureServiceDatabase):
 * the role `<prefix>orders` owns the database `<prefix>orders` and may not connect to any other
 * service's database, nor read it; it is no superuser and may create neither databases nor roles.
 * Idempotent: an existing database (one made before roles) is handed to its role, tables and all.
 * Run as the server's superuser: server from DATABASE_URL (any database on it) or the PG*
 * variables; default the local server. Each role's password from ORDERS_DB_PASSWORD …
 * EMAIL_DB_PASSWORD when set (compose: from the env file; npm start: generated into its state
 * folder); a role without one can log in only where the server trusts the connection.
 * Usage: npm run db:create
 */
import { ensureServiceDatabase } from '@webshop/postgres';

export const SERVICE_DATABASES = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;
export type ServiceDatabaseName = (typeof SERVICE_DATABASES)[number];

/** The variable that holds a service role's password: ORDERS_DB_PASSWORD, PAYMENT_DB_PASSWORD, … */
export const passwordVariable = (name: ServiceDatabaseName) => `${name.toUpperCase()}_DB_PASSWORD`;

export function passwordsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<ServiceDatabaseName, string>> {
  return Object.fromEntries(SERVICE_DATABASES.flatMap((name) => (env[passwordVariable(name)] ? [[name, env[passwordVariable(name)]]] : [])));
}

export function serverUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DATABASE_URL']) return env['DATABASE_URL'];
  const user = encodeURIComponent(env['PGUSER'] ?? 'postgres');
  const password = env['PGPASSWORD'] ? `:${encodeURIComponent(env['PGPASSWORD'])}` : '';
  const host = env['PGHOST'] ?? '127.0.0.1';
  const port = env['PGPORT'] ?? '5432';
  return `postgres://${user}${password}@${host}:${port}/postgres`;
}

/**
 * Makes (or fixes up) `<prefix>orders`, `<prefix>payment`, ... and their roles; answers those it
 * created and each service's URL: its own role (with its password), its own database.
 */
export async function createServiceDatabases(
  serverUrl: string,
  prefix = '',
  passwords: Partial<Record<ServiceDatabaseName, string>> = passwordsFromEnv(),
): Promise<{ created: string[]; urls: Record<ServiceDatabaseName, string> }> {
  const created: string[] = [];
  const urls = {} as Record<ServiceDatabaseName, string>;
  for (const name of SERVICE_DATABASES) {
    const database = await ensureServiceDatabase(serverUrl, prefix + name, { password: passwords[name] });
    if (database.created) created.push(database.name);
    urls[name] = database.url;
  }
  return { created, urls };
}

if (require.main === module) {
  const url = serverUrlFromEnv();
  const passwords = passwordsFromEnv();
  const prefix = process.env['DATABASE_PREFIX'] ?? '';
  createServiceDatabases(url, prefix, passwords).then(
    ({ created }) => {
      console.log(created.length ? `created databases: ${created.join(', ')}` : 'all service databases exist');
      console.log(`each owned by its own role, closed to the others: ${SERVICE_DATABASES.map((name) => prefix + name).join(', ')}`);
      const without = SERVICE_DATABASES.filter((name) => !passwords[name]);
      if (without.length) console.log(`no password given for ${without.map(passwordVariable).join(', ')}: those roles log in only where the server trusts the connection`);
    },
    (error: unknown) => {
      console.error(`could not create the service databases on ${url.replace(/:[^:@/]*@/, ':***@')}: ${String(error)}`);
      process.exit(1);
    },
  );
}
