/**
 * `npm start`, as a developer runs it: the whole shop comes up, the curl it prints places an order
 * that reaches CONFIRMED, the confirmation is caught by the mail catcher, Ctrl-C stops every service
 * cleanly, and a second start reuses the databases and the demo data.
 *
 * A shop of its own beside anything else on this machine: other ports, its own databases
 * (DATABASE_PREFIX) and topics (TOPIC_PREFIX), the test broker (KAFKA_BROKERS).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPool, dropServiceDatabase } from '@webshop/postgres';
import { createDedicatedBroker, duplicateKeys, freePort, scrapeMetrics, testBrokers, uniqueName, waitFor } from '@webshop/testing';
import { asGrafanaSends, dashboardQueries, metricsOf, startPrometheus } from './prometheus';
import { SERVICE_DATABASES, serverUrlFromEnv } from '../postgres/create-databases';

const root = path.resolve(__dirname, '../..');

interface RunningShop {
  child: ChildProcess;
  output: () => string;
  /** What a terminal does on Ctrl-C: SIGINT to the whole foreground process group (npm, the shop, its
   *  five services); resolves once every process of the group is gone. */
  ctrlC(): Promise<void>;
  /** What a process manager or an IDE's stop button does: SIGTERM to npm alone; resolves once every
   *  process of the group is gone. */
  terminate(): Promise<void>;
  kill(): void;
}

/** Whether any process of the group led by `pid` still runs. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false; // ESRCH: no process left in the group
  }
}

function npmStart(env: NodeJS.ProcessEnv): RunningShop {
  let output = '';
  const child = spawn('npm', ['start', '--silent'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    output: () => output,
    async ctrlC() {
      process.kill(-child.pid!, 'SIGINT');
      await waitFor(() => !groupAlive(child.pid!), { timeoutMs: 60_000, description: 'every process of npm start to exit after Ctrl-C' });
    },
    async terminate() {
      process.kill(child.pid!, 'SIGTERM');
      await waitFor(() => !groupAlive(child.pid!), { timeoutMs: 60_000, description: 'every process of npm start to exit after SIGTERM to npm' });
    },
    kill() {
      if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * What a healthy start must not print: a warning or an error line in the services' log files (JSON
 * lines), or on the console (their readable form), or a line with a key twice.
 */
function logProblems(state: string, console: string): string[] {
  const logs = path.join(state, 'logs');
  const fromFiles = readdirSync(logs).flatMap((file) =>
    readFileSync(path.join(logs, file), 'utf8')
      .split('\n')
      .filter((line) => /"level":"(warn|error)"/.test(line) || duplicateKeys(line).length > 0)
      .map((line) => `${file}: ${line}`),
  );
  return [...fromFiles, ...console.split('\n').filter((line) => /^\S+\s*\| \[[\d:.]+\] (WARN|ERROR):/.test(line))];
}

/** The example order's curl that the banner prints. */
const orderCurl = (banner: string) => banner.split('\n').find((line) => line.includes('curl -s -X POST'))!.replace(/^\[shop\]\s+/, '');

async function untilReady(shop: RunningShop): Promise<string> {
  try {
    await waitFor(() => /the shop is ready/.test(shop.output()) || shop.child.exitCode !== null, {
      timeoutMs: 120_000,
      description: 'npm start to print "the shop is ready"',
    });
    if (shop.child.exitCode !== null) throw new Error(`npm start exited with ${shop.child.exitCode}`);
    // The example curl is printed after the ready line: wait for the last line of the banner.
    await waitFor(() => /Ctrl-C stops it/.test(shop.output()), { description: 'the end of the banner' });
  } catch (error) {
    // What npm start printed up to the failure, not up to the call.
    throw new Error(`${(error as Error).message}; its output:\n${plain(shop.output()).slice(-3000)}`);
  }
  return plain(shop.output());
}

describe('npm start (the local shop without Docker)', () => {
  const prefix = `${uniqueName('npmstart')}_`;
  const state = mkdtempSync(path.join(os.tmpdir(), 'npm-start-test-'));
  const server = serverUrlFromEnv();
  const shops: RunningShop[] = [];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const ports = await Promise.all(Array.from({ length: 8 }, () => freePort()));
    env = {
      ...process.env,
      KAFKA_BROKERS: testBrokers().join(','),
      DATABASE_URL: server,
      DATABASE_PREFIX: prefix,
      TOPIC_PREFIX: `${prefix.replace(/_/g, '-')}.`,
      SHOP_STATE_DIR: state,
      ORDERS_PORT: String(ports[0]),
      PAYMENT_PORT: String(ports[1]),
      STOCK_PORT: String(ports[2]),
      SHIPPING_PORT: String(ports[3]),
      EMAIL_PORT: String(ports[4]),
      SMTP_PORT: String(ports[5]),
      MAIL_UI_PORT: String(ports[6]),
      WEB_PORT: String(ports[7]),
    };
  });

  afterAll(async () => {
    for (const shop of shops) shop.kill();
    await Promise.all(SERVICE_DATABASES.map((name) => dropServiceDatabase(server, prefix + name).catch(() => undefined)));
    rmSync(state, { recursive: true, force: true });
  });

  it('comes up, takes an order from the curl it prints, stops on Ctrl-C, reuses everything on a second start, which stops on SIGTERM to npm', async () => {
    const first = npmStart(env);
    shops.push(first);
    const banner = await untilReady(first);
    expect(banner).toContain(`created ${SERVICE_DATABASES.map((name) => prefix + name).join(', ')}`);
    expect(banner).toMatch(/seeding the demo catalogue/);
    const ordersUrl = `http://127.0.0.1:${env['ORDERS_PORT']}`;
    // The web front end is the first address it gives.
    expect(banner.split('the shop is ready:')[1]!.match(/http:\/\/\S+/)![0]).toBe(`http://127.0.0.1:${env['WEB_PORT']}`);
    const page = await fetch(`http://127.0.0.1:${env['WEB_PORT']}/`);
    expect({ status: page.status, html: (await page.text()).includes('<div id="root">') }).toEqual({ status: 200, html: true });
    for (const port of [env['ORDERS_PORT'], env['PAYMENT_PORT'], env['STOCK_PORT'], env['SHIPPING_PORT'], env['EMAIL_PORT']]) {
      expect(banner).toContain(`http://127.0.0.1:${port}/readyz`);
    }

    // The very curl the banner prints.
    const curl = orderCurl(banner);
    expect(curl).toContain(`${ordersUrl}/orders`);
    const placed = await promisify(execFile)('bash', ['-c', curl]);
    const { orderId } = JSON.parse(placed.stdout) as { orderId: string };
    expect(orderId).toMatch(/^[0-9a-f-]{36}$/);
    const confirmed = (await (await fetch(`${ordersUrl}/orders/${orderId}?until=CONFIRMED,REJECTED&timeoutMs=20000`)).json()) as { status: string };
    expect(confirmed.status).toBe('CONFIRMED');

    // Each service connected as its own role, and only to its own database; the passwords npm start
    // made are readable by their owner alone.
    const admin = createPool(server, { max: 1 });
    try {
      const { rows } = await admin.query<{ datname: string; users: string[] }>(
        `SELECT datname, array_agg(DISTINCT usename::text ORDER BY usename::text) AS users FROM pg_stat_activity
          WHERE datname = ANY($1) OR usename = ANY($1) GROUP BY datname ORDER BY datname`,
        [SERVICE_DATABASES.map((name) => prefix + name)],
      );
      expect(rows).toEqual(SERVICE_DATABASES.map((name) => ({ datname: prefix + name, users: [prefix + name] })).sort((a, b) => a.datname.localeCompare(b.datname)));
    } finally {
      await admin.end();
    }
    expect(statSync(path.join(state, 'db-passwords.json')).mode & 0o777).toBe(0o600);

    // The confirmation went out over SMTP to the mail catcher, whose list the mail page serves.
    await waitFor(
      async () => {
        const mail = (await (await fetch(`http://127.0.0.1:${env['MAIL_UI_PORT']}/messages`)).json()) as Array<{ to: string; subject: string }>;
        return mail.some((m) => m.to.includes('alice@example.com') && /confirmed/i.test(m.subject));
      },
      { timeoutMs: 20_000, description: 'the confirmation email on the mail page' },
    );

    // The operator's token: printed beside the curls, in the state folder for its owner alone, and the
    // services take it; the deposit curl the banner prints works, a deposit without it is refused 401.
    const tokenFile = path.join(state, 'admin-token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(banner.split('operator token')[1]).toContain(token);
    const paymentUrl = `http://127.0.0.1:${env['PAYMENT_PORT']}`;
    const balance = async () => ((await (await fetch(`${paymentUrl}/accounts/alice`)).json()) as { balanceCents: number }).balanceCents;
    const before = await balance();
    const depositCurl = banner.split('\n').find((line) => line.startsWith('[shop]') && line.includes('/deposits'))!.replace(/^\[shop\]\s+/, '');
    expect(JSON.parse((await promisify(execFile)('bash', ['-c', depositCurl])).stdout)).toEqual({ customerId: 'alice', balanceCents: before + 1_000 });
    const refused = await fetch(`${paymentUrl}/accounts/alice/deposits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"amountCents":1}' });
    expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([401, 'unauthorized']);
    expect(await balance()).toBe(before + 1_000);
    // The services' logs hold no token.
    for (const log of readdirSync(path.join(state, 'logs'))) expect([log, readFileSync(path.join(state, 'logs', log), 'utf8').includes(token)]).toEqual([log, false]);

    // The shop stops its services (each exits 0 after its graceful stop) and exits; npm itself dies of
    // the SIGINT, as it does in a terminal.
    await first.ctrlC();
    expect(plain(first.output())).toMatch(/stopped \(service exit codes: 0, 0, 0, 0, 0, 0\)/);
    // A first start (new databases and topics), an order, a stop: nothing to warn of.
    expect(logProblems(state, plain(first.output()))).toEqual([]);

    const second = npmStart(env);
    shops.push(second);
    const again = await untilReady(second);
    expect(again).not.toMatch(/created /);
    expect(again).not.toMatch(/seeding/);
    // A token of its own for every run: the last run's no longer opens anything.
    expect(readFileSync(tokenFile, 'utf8').trim()).not.toBe(token);
    const stale = await fetch(`${paymentUrl}/accounts/alice/deposits`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"amountCents":1}' });
    expect(stale.status).toBe(403);
    const order = (await (await fetch(`${ordersUrl}/orders/${orderId}`)).json()) as { status: string };
    expect(order.status).toBe('CONFIRMED');
    // SIGTERM to npm alone: it passes it on, and nothing it started outlives it.
    await second.terminate();
    expect(plain(second.output())).toMatch(/stopped \(service exit codes: 0, 0, 0, 0, 0, 0\)/);
    expect(logProblems(state, plain(second.output()))).toEqual([]);
  }, 300_000);

  it("is watched by a real Prometheus on compose's configuration, and every query of the Grafana dashboard reads what the services expose", async () => {
    const shop = npmStart(env);
    shops.push(shop);
    const banner = await untilReady(shop);
    const servicePorts = [env['ORDERS_PORT'], env['PAYMENT_PORT'], env['STOCK_PORT'], env['SHIPPING_PORT'], env['EMAIL_PORT']];
    const prometheus = await startPrometheus(servicePorts.map((port) => `127.0.0.1:${port}`));
    try {
      // An order, so that every service consumes, publishes and answers HTTP, and an email goes out.
      const curl = orderCurl(banner);
      const { orderId } = JSON.parse((await promisify(execFile)('bash', ['-c', curl])).stdout) as { orderId: string };
      const ordersUrl = `http://127.0.0.1:${env['ORDERS_PORT']}`;
      expect(((await (await fetch(`${ordersUrl}/orders/${orderId}?until=CONFIRMED,REJECTED&timeoutMs=30000`)).json()) as { status: string }).status).toBe('CONFIRMED');

      await waitFor(async () => (await prometheus.targets()).filter((t) => t.health === 'up').length === 5, {
        timeoutMs: 30_000,
        description: 'Prometheus scraping the five services',
      });
      expect((await prometheus.query('group by (service) (process_cpu_seconds_total)')).map((r) => r.metric['service']).sort()).toEqual(['email', 'orders', 'payment', 'shipping', 'stock']);

      // Each metric the dashboard reads is one a service's /metrics declares.
      const exposed = new Set<string>();
      for (const port of servicePorts) for (const family of (await scrapeMetrics(`http://127.0.0.1:${port}`)).families.keys()) exposed.add(family);
      const queries = dashboardQueries();
      for (const { panel, expr } of queries) expect({ panel, missing: metricsOf(expr).filter((name) => !exposed.has(name)) }).toEqual({ panel, missing: [] });

      // Prometheus takes every query as Grafana sends it, and the panels about the flow show the order.
      const showsTheOrder = ['Throughput: events applied per second', 'Throughput: events published per second', 'Event age when applied (p50, p99)', 'Consumer lag (records)', 'Outbox backlog (rows not yet published)', 'HTTP latency (p99) by route', 'Emails pending and failing', 'SMTP send time (p99) by outcome'];
      // (A panel of what went wrong, dead letters or relay errors, may well stay empty in a healthy run.)
      let blank: string[] = [];
      await waitFor(
        async () => {
          blank = [];
          for (const { panel, expr } of queries) if ((await prometheus.query(asGrafanaSends(expr, '30s'))).length === 0) blank.push(panel);
          return blank.every((panel) => !showsTheOrder.includes(panel));
        },
        { timeoutMs: 30_000, description: 'the panels about the flow showing the order' },
      ).catch((error: Error) => {
        throw new Error(`${error.message}; empty: ${blank.join(', ')}`);
      });
    } finally {
      await prometheus.stop();
      await shop.ctrlC();
    }
  }, 300_000);

  it('KAFKA_SECURITY=sasl: the shop on a broker with logins and the registry\'s ACLs, each service as its own principal', async () => {
    const broker = await createDedicatedBroker({ security: 'sasl' });
    try {
      await broker.start();
      const shop = npmStart({ ...env, KAFKA_SECURITY: 'sasl', KAFKA_BROKERS: broker.brokers.join(','), KAFKA_CREDENTIALS: broker.credentialsFile });
      shops.push(shop);
      const banner = await untilReady(shop);
      expect(banner).toMatch(/Kafka with SASL: \d+ ACLs from the topic registry/);
      const ordersUrl = `http://127.0.0.1:${env['ORDERS_PORT']}`;
      const curl = orderCurl(banner);
      const { orderId } = JSON.parse((await promisify(execFile)('bash', ['-c', curl])).stdout) as { orderId: string };
      const confirmed = (await (await fetch(`${ordersUrl}/orders/${orderId}?until=CONFIRMED,REJECTED&timeoutMs=30000`)).json()) as { status: string };
      expect(confirmed.status).toBe('CONFIRMED');
      // No service's log shows a password; the web front end's pulse, logged in as `web`, is ready.
      const logs = readdirSync(path.join(state, 'logs')).map((file) => readFileSync(path.join(state, 'logs', file), 'utf8')).join('\n');
      for (const principal of ['admin', 'orders', 'payment', 'web']) expect(logs).not.toContain(broker.credentials(principal)!.password);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${env['WEB_PORT']}/readyz`)).status === 200, { timeoutMs: 60_000, description: 'the web front end ready' });
      await shop.ctrlC();
    } finally {
      await broker.destroy();
    }
  }, 400_000);

  it('gives up cleanly when a service cannot start: says which, stops the others, leaves no process behind', async () => {
    // Shipping's port is taken: it exits during start-up while the others are still coming up.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(env['SHIPPING_PORT']), '127.0.0.1', resolve));
    try {
      const shop = npmStart(env);
      shops.push(shop);
      await waitFor(() => shop.child.exitCode !== null || shop.child.signalCode !== null, { timeoutMs: 120_000, description: 'npm start to give up' });
      expect(shop.child.exitCode).toBe(1);
      await waitFor(() => !groupAlive(shop.child.pid!), { timeoutMs: 30_000, description: 'no process of npm start left' });
      const output = plain(shop.output());
      expect(output).toMatch(/shipping exited with 1 during start-up/);
      expect(output).toMatch(/stopped \(service exit codes: /);
      expect(output).not.toMatch(/the shop is ready/);
    } finally {
      squatter.close();
    }
  }, 180_000);
});
