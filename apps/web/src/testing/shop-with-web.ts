/**
 * The whole shop for the web's browser tests: the five services as real processes (from source),
 * each with a database of its own, on one topic prefix of the suite's broker, a real SMTP catcher,
 * and the web server in front of them, with the demo catalogue and accounts put in through the
 * services' own APIs. Started once for every browser test (it is the slow part).
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceNames, type ServiceName } from '@webshop/events';
import { dropServiceDatabase, ensureServiceDatabase } from '@webshop/postgres';
import { freePort, operatorHeaders, startMailCatcher, startServiceProcess, testKafkaAccess, uniqueName, type ServiceProcess } from '@webshop/testing';

export interface ShopWithWeb {
  web: string;
  url: Record<ServiceName, string>;
  logDir: string;
  /** Stops a service (SIGTERM: a clean stop) and answers its exit code. */
  stopService(name: ServiceName): Promise<number | null>;
  stop(): Promise<void>;
}

export const demoCatalogue = [
  { sku: 'TEA-EARLGREY', name: 'Earl Grey tea, 100 g', priceCents: 650, stock: 100 },
  { sku: 'MUG-STONE', name: 'Stoneware mug', priceCents: 1_450, stock: 40 },
  { sku: 'KETTLE-GOOSENECK', name: 'Gooseneck kettle', priceCents: 5_900, stock: 5 },
];
/** dave has no account: his orders are declined (NO_ACCOUNT). */
export const demoAccounts = [
  { customerId: 'alice', balanceCents: 50_000 },
  { customerId: 'bob', balanceCents: 5_000 },
];

/** The demo data's calls are the operator's: they carry the token every service was started with. */
async function call(method: string, url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...operatorHeaders() }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url}: HTTP ${response.status} ${await response.text()}`);
}

export async function startShopWithWeb(): Promise<ShopWithWeb> {
  const id = uniqueName('web');
  const prefix = `${id.replace(/_/g, '-')}.`;
  const server = process.env['DATABASE_URL']!;
  const logDir = path.join(os.tmpdir(), 'webshop-web-e2e', id);
  mkdirSync(logDir, { recursive: true });
  const kafka = testKafkaAccess(); // on a broker with SASL, each service and the web log in as themselves
  const revokeAcls = await kafka.grantShop(prefix);
  const mail = await startMailCatcher();
  const running = new Map<string, ServiceProcess>();
  const databases = serviceNames.map((s) => `${id}_${s}`.slice(0, 63));
  const common = { TOPIC_PREFIX: prefix, LOG_LEVEL: 'info' };
  const stopAll = async () => {
    await Promise.all([...running.values()].map((s) => s.stop('SIGTERM')));
    await mail.stop();
    await revokeAcls().catch(() => undefined);
    await Promise.all(databases.map((db) => dropServiceDatabase(server, db).catch(() => undefined)));
  };
  try {
    const started = await Promise.allSettled(
      serviceNames.map(async (name, i) => {
        const database = await ensureServiceDatabase(server, databases[i]!); // its own role, as npm run db:create makes it
        const service = await startServiceProcess({
          name,
          port: await freePort(),
          logFile: path.join(logDir, `${name}.log`),
          readyTimeoutMs: 120_000,
          kafka,
          env: { ...common, DATABASE_URL: database.url, SMTP_URL: mail.url },
        });
        running.set(name, service);
      }),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const url = Object.fromEntries(serviceNames.map((s) => [s, running.get(s)!.url])) as Record<ServiceName, string>;
    const web = await startServiceProcess({
      name: 'web',
      port: await freePort(),
      logFile: path.join(logDir, 'web.log'),
      readyTimeoutMs: 120_000,
      kafka,
      env: { ...common, HEALTH_INTERVAL_MS: '1000', ...Object.fromEntries(serviceNames.map((s) => [`${s.toUpperCase()}_URL`, url[s]])) },
    });
    running.set('web', web);
    for (const p of demoCatalogue) {
      await call('PUT', `${url.stock}/products/${p.sku}`, { name: p.name, priceCents: p.priceCents });
      await call('POST', `${url.stock}/products/${p.sku}/restock`, { quantity: p.stock });
    }
    for (const a of demoAccounts) await call('POST', `${url.payment}/accounts/${a.customerId}/deposits`, { amountCents: a.balanceCents });
    return {
      web: web.url,
      url,
      logDir,
      stopService: (name) => running.get(name)!.stop('SIGTERM'),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
