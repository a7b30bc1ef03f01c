/**
 * Payment runs as its own Postgres role (issue 14): the harness gives it a database owned by a
 * role of its own, as `npm run db:create` does, and it migrates and works there as that role. Given
 * the orders database's address, it is refused at once: a bug or a leaked payment credential
 * cannot read or change orders' data.
 */
import pg from 'pg';
import { databaseUrlFor } from '@webshop/postgres';
import { createLogger, startService } from '@webshop/service-kit';
import { call, createTestDatabase, startServiceHarness, type ServiceHarness, type TestDatabase } from '@webshop/testing';
import { paymentService } from './service';

let shop: ServiceHarness;
let orders: TestDatabase;

beforeAll(async () => {
  [shop, orders] = await Promise.all([startServiceHarness(paymentService, { label: 'pay_role', reads: ['payments'] }), createTestDatabase('orders')]);
  await orders.pool.query("CREATE TABLE orders (order_id text PRIMARY KEY, status text NOT NULL); INSERT INTO orders VALUES ('o-1', 'PENDING')");
});

afterAll(async () => {
  await shop?.stop();
  await orders?.drop();
});

/** Who the connections to `database` log in as, asked as the superuser. */
async function usersOf(database: string): Promise<string[]> {
  const admin = new pg.Client({ connectionString: databaseUrlFor(process.env['DATABASE_URL']!, 'postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ usename: string }>('SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = $1 ORDER BY usename', [database]);
    return rows.map((r) => r.usename);
  } finally {
    await admin.end();
  }
}

it('connects as its own role, not a superuser, and migrates and serves as it', async () => {
  expect((await call(shop.url('/readyz'), 'GET')).status).toBe(200);
  expect(await usersOf(shop.db.name)).toEqual([shop.db.name]);
  const { rows } = await shop.db.pool.query<{ owner: string }>("SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'");
  expect(rows).toEqual([{ owner: shop.db.name }]);
});

it("is refused the orders database: its start-up fails at once with permission denied, and orders' data is untouched", async () => {
  const config = { ...shop.running.ctx.config, PORT: 0, DATABASE_URL: databaseUrlFor(shop.db.url, orders.name), STARTUP_TIMEOUT_MS: 120_000 };
  // A refusal, not a dependency away: no waiting until STARTUP_TIMEOUT_MS (that would end in StartupTimedOut, which has no code).
  await expect(startService(paymentService, config, createLogger({ service: 'payment' }, 'silent'))).rejects.toMatchObject({
    code: '42501',
    message: `permission denied for database "${orders.name}"`,
  });
  expect(await usersOf(orders.name)).not.toContain(shop.db.name);
  expect((await orders.pool.query('SELECT order_id, status FROM orders')).rows).toEqual([{ order_id: 'o-1', status: 'PENDING' }]);
});
