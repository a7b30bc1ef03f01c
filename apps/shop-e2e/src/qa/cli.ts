/**
 * `npm run e2e`: runs the order-flow scenarios against a running shop and reports each.
 *
 *   npm run e2e [-- --orders URL --payment URL --stock URL --shipping URL --email URL] [-- --only text]
 *
 * URLs default to ORDERS_URL, PAYMENT_URL, ... or the local ports 3001-3005. The operator's calls
 * (products, deposits, dispatch) send ADMIN_TOKEN, or the token `npm start` wrote to its state folder. Exit code 0 when every
 * scenario passed, 1 when any failed, 2 when the shop is not reachable.
 */
import { parseArgs } from 'node:util';
import { toolOperatorToken } from '@webshop/testing';
import { shopClient, type ShopUrls } from './client';
import { scenarios } from './scenarios';

const defaults: ShopUrls = {
  orders: process.env['ORDERS_URL'] ?? 'http://127.0.0.1:3001',
  payment: process.env['PAYMENT_URL'] ?? 'http://127.0.0.1:3002',
  stock: process.env['STOCK_URL'] ?? 'http://127.0.0.1:3003',
  shipping: process.env['SHIPPING_URL'] ?? 'http://127.0.0.1:3004',
  email: process.env['EMAIL_URL'] ?? 'http://127.0.0.1:3005',
};

export async function runScenarios(
  urls: ShopUrls,
  only?: string,
  out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
  operatorToken = toolOperatorToken(),
): Promise<{ passed: number; failed: number }> {
  if (!operatorToken) out('no operator token (ADMIN_TOKEN, or npm start\'s infra/local/.state/admin-token): the operator\'s calls will be refused');
  const shop = shopClient(urls, operatorToken);
  let passed = 0;
  let failed = 0;
  for (const scenario of scenarios.filter((s) => !only || s.name.includes(only))) {
    const started = Date.now();
    try {
      await scenario.run(shop);
      passed += 1;
      out(`PASS  ${scenario.name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      out(`FAIL  ${scenario.name} (${Date.now() - started} ms)\n      ${error instanceof Error ? error.message.split('\n').join('\n      ') : String(error)}`);
    }
  }
  out(`${passed} passed, ${failed} failed`);
  return { passed, failed };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: defaults.orders },
      payment: { type: 'string', default: defaults.payment },
      stock: { type: 'string', default: defaults.stock },
      shipping: { type: 'string', default: defaults.shipping },
      email: { type: 'string', default: defaults.email },
      only: { type: 'string' },
    },
  });
  const urls: ShopUrls = { orders: values.orders!, payment: values.payment!, stock: values.stock!, shipping: values.shipping!, email: values.email! };
  for (const [name, url] of Object.entries(urls)) {
    const healthy = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (!healthy) {
      process.stderr.write(`${name} does not answer at ${url}/healthz: is the shop running (npm start)?\n`);
      process.exit(2);
    }
  }
  const { failed } = await runScenarios(urls, values.only);
  process.exit(failed > 0 ? 1 : 0);
}

if (require.main === module) void main();
