/**
 * Creates each service's database on the Postgres server when it is missing.
 * Server from DATABASE_URL (any database on it) or the PG* variables; default the local server.
 * Usage: npm run db:create
 */
import { ensureDatabase } from '@webshop/postgres';

export const SERVICE_DATABASES = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;

export function serverUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env['DATABASE_URL']) return env['DATABASE_URL'];
  const user = encodeURIComponent(env['PGUSER'] ?? 'postgres');
  const password = env['PGPASSWORD'] ? `:${encodeURIComponent(env['PGPASSWORD'])}` : '';
  const host = env['PGHOST'] ?? '127.0.0.1';
  const port = env['PGPORT'] ?? '5432';
  return `postgres://${user}${password}@${host}:${port}/postgres`;
}

/** Creates the missing ones among `<prefix>orders`, `<prefix>payment`, ...; answers those it created. */
export async function createServiceDatabases(serverUrl: string, prefix = ''): Promise<string[]> {
  const created: string[] = [];
  for (const name of SERVICE_DATABASES) {
    if (await ensureDatabase(serverUrl, prefix + name)) created.push(prefix + name);
  }
  return created;
}

if (require.main === module) {
  const url = serverUrlFromEnv();
  createServiceDatabases(url).then(
    (created) => {
      console.log(created.length ? `created databases: ${created.join(', ')}` : 'all service databases exist');
    },
    (error: unknown) => {
      console.error(`could not create the service databases on ${url.replace(/:[^:@/]*@/, ':***@')}: ${String(error)}`);
      process.exit(1);
    },
  );
}
