/**
 * The POST baseline: bare express and pg, one INSERT of the order per request, in a process of its
 * own (as the orders service is). PORT and DATABASE_URL from the environment; prints "ready" once
 * listening. No validation, no outbox, no idempotency: the floor an HTTP write in Node can reach.
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env['DATABASE_URL'], max: 10 });
pool.on('error', () => undefined);

async function main() {
  await pool.query('CREATE TABLE IF NOT EXISTS orders (order_id uuid PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
  const app = express();
  app.use(express.json());
  app.post('/orders', async (req, res) => {
    const orderId = randomUUID();
    try {
      await pool.query('INSERT INTO orders (order_id, body) VALUES ($1, $2)', [orderId, req.body]);
      res.status(202).json({ orderId, status: 'PENDING' });
    } catch (error) {
      res.status(500).json({ error: String(error) });
    }
  });
  app.get('/readyz', (_req, res) => void res.json({ ready: true }));
  app.listen(Number(process.env['PORT']), '127.0.0.1', () => console.log('ready'));
  process.on('SIGTERM', () => void pool.end().finally(() => process.exit(0)));
}

void main();
