/**
 * A role per service on the real server (DATABASE_URL, a superuser's): what a service's role may do
 * in its own database, and what the payment role is refused in the orders database. The server of
 * the tests trusts 127.0.0.1, so no password is ever checked here: the isolation shown is Postgres'
 * own privilege checks (CONNECT on the database, USAGE on the schema, SELECT on the table), which it
 * makes whatever the authentication.
 */
import pg from 'pg';
import { createDedicatedPostgres, type DedicatedPostgres } from './testing';
import { uniqueName } from '@webshop/testing-core';
import { databaseUrlFor, ensureDatabase } from './databases';
import { dropServiceDatabase, ensureServiceDatabase, type ServiceDatabase } from './service-database';

const server = process.env['DATABASE_URL']!;

/** Runs `work` on a connection to `url`; the connection's own errors (refusals) reject. */
async function as<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
const admin = (database: string) => databaseUrlFor(server, database);

describe('a role per service', () => {
  const prefix = uniqueName('t_roles');
  const made: string[] = [];
  let orders: ServiceDatabase;
  let payment: ServiceDatabase;
  const make = async (name: string, password?: string) => {
    made.push(name);
    return ensureServiceDatabase(server, name, { password });
  };

  beforeAll(async () => {
    [orders, payment] = await Promise.all([make(`${prefix}_orders`), make(`${prefix}_payment`)]);
    await as(orders.url, async (c) => {
      await c.query('CREATE TABLE orders (order_id text PRIMARY KEY, total_cents int NOT NULL)');
      await c.query("INSERT INTO orders VALUES ('o-1', 1250)");
    });
  });
  afterAll(async () => {
    for (const name of made) await dropServiceDatabase(server, name);
  });

  it("connects a service as its own role, named after its database, with no power over the server", async () => {
    expect(new URL(orders.url)).toMatchObject({ username: orders.name, pathname: `/${orders.name}` });
    const { rows } = await as(orders.url, (c) =>
      c.query('SELECT current_user AS who, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user'),
    );
    expect(rows).toEqual([{ who: orders.name, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolbypassrls: false }]);
  });

  it('lets the role do in its own database all a service does: migrate, lock, LISTEN/NOTIFY, a rebuild schema', async () => {
    await as(orders.url, async (c) => {
      await c.query('CREATE TABLE inbox (event_id uuid PRIMARY KEY, seq bigserial)');
      await c.query('ALTER TABLE orders ADD COLUMN note text');
      await c.query('CREATE INDEX ON orders (total_cents)');
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['schema_migrations']);
      await c.query('CREATE SCHEMA rebuild_1');
      await c.query('CREATE TABLE rebuild_1.orders (LIKE public.orders INCLUDING ALL)');
      await c.query('DROP SCHEMA rebuild_1 CASCADE');
      await c.query('LISTEN order_changed');
      const heard = new Promise<string | undefined>((resolve) => c.once('notification', (n) => resolve(n.payload)));
      await c.query("SELECT pg_notify('order_changed', 'o-1')");
      expect(await heard).toBe('o-1');
    });
  });

  it('refuses the payment role a connection to the orders database: permission denied for database', async () => {
    const intruder = databaseUrlFor(payment.url, orders.name);
    await expect(as(intruder, (c) => c.query('SELECT 1'))).rejects.toMatchObject({
      code: '42501',
      message: `permission denied for database "${orders.name}"`,
    });
  });

  it("refuses the payment role orders' data even over a connection granted by mistake: no USAGE on the schema, no SELECT on the table", async () => {
    const intruder = databaseUrlFor(payment.url, orders.name);
    await as(admin('postgres'), (c) => c.query(`GRANT CONNECT ON DATABASE "${orders.name}" TO PUBLIC`));
    try {
      await as(intruder, async (c) => {
        await expect(c.query('SELECT * FROM public.orders')).rejects.toMatchObject({ code: '42501', message: 'permission denied for schema public' });
        await expect(c.query('CREATE TABLE public.planted (x int)')).rejects.toMatchObject({ code: '42501', message: 'permission denied for schema public' });
      });
      // A second mistake: USAGE on the schema as well. The table is still the orders role's alone.
      await as(admin(orders.name), (c) => c.query('GRANT USAGE ON SCHEMA public TO PUBLIC'));
      await as(intruder, async (c) => {
        await expect(c.query('SELECT * FROM public.orders')).rejects.toMatchObject({ code: '42501', message: 'permission denied for table orders' });
        await expect(c.query("UPDATE public.orders SET total_cents = 0 WHERE order_id = 'o-1'")).rejects.toMatchObject({ code: '42501' });
      });
    } finally {
      await as(admin(orders.name), (c) => c.query('REVOKE USAGE ON SCHEMA public FROM PUBLIC'));
      await as(admin('postgres'), (c) => c.query(`REVOKE CONNECT ON DATABASE "${orders.name}" FROM PUBLIC`));
    }
    expect((await as(orders.url, (c) => c.query('SELECT total_cents FROM orders'))).rows).toEqual([{ total_cents: 1250 }]);
  });

  it('refuses a role the making of databases and roles, so it cannot widen its own rights', async () => {
    await as(payment.url, async (c) => {
      await expect(c.query(`CREATE DATABASE "${payment.name}_more"`)).rejects.toMatchObject({ code: '42501', message: 'permission denied to create database' });
      await expect(c.query(`CREATE ROLE "${payment.name}_more"`)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/^permission denied to create role/) });
      await expect(c.query(`GRANT CONNECT ON DATABASE "${orders.name}" TO CURRENT_USER`)).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('is idempotent and safe when several processes make the same role and database at once; a password is set as a SCRAM hash', async () => {
    const name = `${prefix}_stock`;
    const results = await Promise.all([1, 2, 3, 4].map(() => make(name)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const again = await make(name, 'a s3cret/with:odd@chars');
    expect(again.created).toBe(false);
    expect(new URL(again.url).password).toBe(encodeURIComponent('a s3cret/with:odd@chars'));
    const { rows } = await as(admin('postgres'), (c) => c.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name]));
    expect(rows[0].rolpassword).toMatch(/^SCRAM-SHA-256\$/);
    // Without a password the role keeps the one it has.
    await make(name);
    expect((await as(admin('postgres'), (c) => c.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name]))).rows).toEqual(rows);
  });

  it('hands a database made before roles (by the superuser) to its new role, tables and sequences included', async () => {
    const name = `${prefix}_shipping`;
    made.push(name);
    await ensureDatabase(server, name);
    await as(admin(name), async (c) => {
      await c.query('CREATE TABLE shipments (id bigserial PRIMARY KEY, order_id text)');
      await c.query('CREATE SEQUENCE tracking_numbers');
      await c.query('CREATE VIEW open_shipments AS SELECT * FROM shipments');
      await c.query('CREATE SCHEMA rebuild_2');
      await c.query('CREATE TABLE rebuild_2.shipments (id int)');
    });
    const shipping = await ensureServiceDatabase(server, name);
    await as(shipping.url, async (c) => {
      await c.query("INSERT INTO shipments (order_id) VALUES ('o-1')");
      await c.query('ALTER TABLE shipments ADD COLUMN carrier text');
      await c.query("SELECT nextval('tracking_numbers')");
      await c.query('SELECT * FROM open_shipments');
      await c.query('DROP SCHEMA rebuild_2 CASCADE');
    });
  });

  it('drops the database and then its role', async () => {
    const name = `${prefix}_email`;
    await make(name);
    await dropServiceDatabase(server, name);
    const { rows } = await as(admin('postgres'), (c) =>
      c.query('SELECT (SELECT count(*) FROM pg_database WHERE datname = $1)::int AS databases, (SELECT count(*) FROM pg_roles WHERE rolname = $1)::int AS roles', [name]),
    );
    expect(rows).toEqual([{ databases: 0, roles: 0 }]);
  });
});

describe('a role per service, on a server that asks for passwords', () => {
  let server: DedicatedPostgres;
  beforeAll(async () => {
    server = await createDedicatedPostgres({ passwords: true });
    await server.start();
  }, 120_000);
  afterAll(() => server?.destroy());

  it("lets each role in with its own password only: a wrong or no password is refused, and so is another role's", async () => {
    const [orders, payment] = await Promise.all([
      ensureServiceDatabase(server.url, 'orders', { password: 'orders-secret-1' }),
      ensureServiceDatabase(server.url, 'payment', { password: 'payment-secret-2' }),
    ]);
    expect((await as(orders.url, (c) => c.query('SELECT current_user AS who'))).rows).toEqual([{ who: 'orders' }]);
    const withPassword = (url: string, password: string) => Object.assign(new URL(url), { password }).toString();
    const refused = { code: '28P01', message: 'password authentication failed for user "orders"' };
    await expect(as(withPassword(orders.url, 'wrong'), (c) => c.query('SELECT 1'))).rejects.toMatchObject(refused);
    await expect(as(withPassword(orders.url, 'payment-secret-2'), (c) => c.query('SELECT 1'))).rejects.toMatchObject(refused);
    await expect(as(withPassword(orders.url, ''), (c) => c.query('SELECT 1'))).rejects.toThrow();
    // payment's own password, into orders' database: refused by the database's privileges.
    await expect(as(databaseUrlFor(payment.url, 'orders'), (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '42501', message: 'permission denied for database "orders"' });
  });
});
