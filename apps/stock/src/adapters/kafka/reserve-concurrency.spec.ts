/**
 * Stock never goes below zero under concurrent orders for the same sku: many reservations, each in
 * its own transaction on one pool, all at once, straight against Postgres.
 */
import { randomUUID } from 'node:crypto';
import { messagingMigrations } from '@webshop/kafka';
import { createPool, migrate, withTransaction, type Pool } from '@webshop/postgres';
import { createTestDatabase, type TestDatabase } from '@webshop/testing';
import { migrations } from '../pg/migrations';
import { reserveStock } from './handlers';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('stock_race');
  await migrate(db.pool, [...messagingMigrations, ...migrations]);
  // One connection per racer, so all of them are in their transactions at the same time.
  pool = createPool(db.url, { max: 20 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const clock = () => new Date();
const addProduct = (sku: string, available: number) =>
  db.pool.query("INSERT INTO products (sku, name, price_cents, available, reserved, updated_at) VALUES ($1, $1, 100, $2, 0, now())", [sku, available]);
const levelOf = async (sku: string) =>
  (await db.pool.query<{ available: number; reserved: number }>('SELECT available, reserved FROM products WHERE sku = $1', [sku])).rows[0];
const line = (sku: string, quantity = 1) => ({ sku, quantity, unitPriceCents: 100 });

it('lets exactly 10 of 20 concurrent one-unit reservations through when 10 are available', async () => {
  await addProduct('RACE-1', 10);
  const decisions = await Promise.all(
    Array.from({ length: 20 }, () => withTransaction(pool, (tx) => reserveStock(tx, { orderId: randomUUID(), items: [line('RACE-1')] }, clock))),
  );
  const outcomes = decisions.map((d) => d.events[0]?.type);
  expect(outcomes.filter((t) => t === 'StockReserved')).toHaveLength(10);
  expect(outcomes.filter((t) => t === 'StockUnavailable')).toHaveLength(10);
  expect(await levelOf('RACE-1')).toEqual({ available: 0, reserved: 10 });
  const { rows } = await db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE event_type = 'StockReserved'");
  expect(rows[0]!.n).toBe(10);
});

it('does not deadlock when concurrent orders name the same skus in opposite orders', async () => {
  await addProduct('PAIR-A', 100);
  await addProduct('PAIR-B', 100);
  const decisions = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      withTransaction(pool, (tx) =>
        reserveStock(tx, { orderId: randomUUID(), items: i % 2 ? [line('PAIR-A', 2), line('PAIR-B', 3)] : [line('PAIR-B', 3), line('PAIR-A', 2)] }, clock),
      ),
    ),
  );
  expect(decisions.every((d) => d.events[0]?.type === 'StockReserved')).toBe(true);
  expect(await levelOf('PAIR-A')).toEqual({ available: 60, reserved: 40 });
  expect(await levelOf('PAIR-B')).toEqual({ available: 40, reserved: 60 });
});

it('has the database refuse a negative level, whatever the code does', async () => {
  await addProduct('FLOOR-1', 1);
  await expect(db.pool.query("UPDATE products SET available = available - 2 WHERE sku = 'FLOOR-1'")).rejects.toMatchObject({ code: '23514' });
  await expect(db.pool.query("UPDATE products SET reserved = -1 WHERE sku = 'FLOOR-1'")).rejects.toMatchObject({ code: '23514' });
});
