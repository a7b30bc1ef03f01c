/**
 * Demo data through the services' own APIs: a small catalogue with stock, and a few customer
 * accounts with balances. Safe to run again: it tops stock and balances up to the demo levels and
 * never adds twice. Usage: npm run seed (STOCK_URL, PAYMENT_URL override the local ports).
 *
 * Products, restocks and deposits are the operator's: it sends ADMIN_TOKEN (or, by hand beside
 * `npm start`, the token it wrote to infra/local/.state/admin-token) as `Authorization: Bearer`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const catalogue = [
  { sku: 'TEA-EARLGREY', name: 'Earl Grey tea, 100 g', priceCents: 650, stock: 100 },
  { sku: 'TEA-SENCHA', name: 'Sencha green tea, 100 g', priceCents: 890, stock: 60 },
  { sku: 'MUG-STONE', name: 'Stoneware mug', priceCents: 1_450, stock: 40 },
  { sku: 'POT-GLASS', name: 'Glass teapot, 1 l', priceCents: 3_200, stock: 15 },
  { sku: 'KETTLE-GOOSENECK', name: 'Gooseneck kettle', priceCents: 5_900, stock: 5 },
];

export const accounts = [
  { customerId: 'alice', balanceCents: 50_000 },
  { customerId: 'bob', balanceCents: 5_000 },
  { customerId: 'carol', balanceCents: 200_000 },
  { customerId: 'dave', balanceCents: 0 },
];

async function call(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: { available: number; balanceCents: number } }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function expectOk(what: string, res: { status: number; body: unknown }, ok: number[]) {
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
}

export async function seed(urls: { stock: string; payment: string }, token: string | undefined, log: (line: string) => void = console.log): Promise<void> {
  for (const item of catalogue) {
    expectOk(`PUT /products/${item.sku}`, await call('PUT', `${urls.stock}/products/${item.sku}`, { name: item.name, priceCents: item.priceCents }, token), [200, 201]);
    const current = await call('GET', `${urls.stock}/products/${item.sku}`);
    expectOk(`GET /products/${item.sku}`, current, [200]);
    const missing = item.stock - current.body.available;
    if (missing > 0) expectOk(`restock ${item.sku}`, await call('POST', `${urls.stock}/products/${item.sku}/restock`, { quantity: missing }, token), [200]);
    log(`product ${item.sku}: ${item.name}, ${item.priceCents} cents, ${Math.max(item.stock, current.body.available)} in stock`);
  }
  for (const account of accounts) {
    const current = await call('GET', `${urls.payment}/accounts/${account.customerId}`);
    const balance = current.status === 200 ? (current.body.balanceCents as number) : 0;
    const missing = account.balanceCents - balance;
    // dave has no account at all (a deposit is what opens one): his orders are declined NO_ACCOUNT.
    if (missing > 0) expectOk(`deposit for ${account.customerId}`, await call('POST', `${urls.payment}/accounts/${account.customerId}/deposits`, { amountCents: missing }, token), [200]);
    log(`account ${account.customerId}: ${Math.max(balance, account.balanceCents)} cents`);
  }
}

if (require.main === module) {
  const urls = { stock: process.env['STOCK_URL'] ?? 'http://127.0.0.1:3003', payment: process.env['PAYMENT_URL'] ?? 'http://127.0.0.1:3002' };
  const stateFile = path.join(process.env['SHOP_STATE_DIR'] ?? path.join(__dirname, '../local/.state'), 'admin-token');
  const token = process.env['ADMIN_TOKEN'] || (existsSync(stateFile) ? readFileSync(stateFile, 'utf8').trim() : undefined);
  seed(urls, token).then(
    () => console.log('seeded'),
    (error: unknown) => {
      console.error(`seeding failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
