/**
 * docker compose cannot run on a machine without a Docker engine, so its file is checked instead:
 * every service's environment passes that service's OWN configuration schema (each service's
 * `main.ts --check-config`), ports and dependencies match the design, every Dockerfile it names
 * exists and builds one service, multi-stage, as a non-root user, with a health check, and each
 * service is healthy only when `/readyz` says ready (the check is run against a stand-in server)
 * and is given longer to stop than its stop budget (docs/architecture.md, "Process behaviour").
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { dropServiceDatabase } from '@webshop/postgres';
import { connectProducer, createQuietKafka, ensureTopics, principals, type KafkaCredentials } from '@webshop/kafka';
import { freePort, uniqueName, waitFor } from '@webshop/testing';
import { dashboard, dashboardQueries, metricsOf, prometheusConfig, PROMETHEUS_CONFIG } from './prometheus';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);
/**
 * `.env` as a person makes it from `.env.example`: every variable it lists, each empty one given a
 * fresh random value (a secret), so the file is read as compose reads it, with its variables set.
 */
const exampleEnv = readFileSync(path.join(root, '.env.example'), 'utf8');
const dotEnv: Record<string, string> = Object.fromEntries(
  [...exampleEnv.matchAll(/^([A-Za-z0-9_]+)=(.*)$/gm)].map(([, name, value]) => [name!, value || randomBytes(24).toString('base64url')]),
);
const rawCompose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
/** Compose's variable substitution: `${NAME}`, `${NAME:-default}`, `${NAME:?error}` (an error when unset or empty). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    const value = env[name];
    if (value) return value;
    if (kind === '?') throw new Error(`${name}: ${rest}`);
    return kind === '-' ? rest! : '';
  });
}
const compose = parse(interpolate(rawCompose, dotEnv), { merge: true }) as {
  services: Record<
    string,
    {
      build?: { context: string; dockerfile: string };
      ports?: string[];
      environment?: Record<string, unknown>;
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: { test?: string[] | string; interval?: string; timeout?: string; retries?: number; start_period?: string };
      stop_grace_period?: string;
      image?: string;
      restart?: string;
      volumes?: string[];
      read_only?: boolean;
      tmpfs?: string[];
      cap_drop?: string[];
    }
  >;
  volumes?: Record<string, unknown>;
};
const design = { orders: 3001, payment: 3002, stock: 3003, shipping: 3004, email: 3005 } as const;

/** A service's whole stop (libs/service-kit/src/service.ts, STOP_BUDGET_MS), the drain included. */
const STOP_BUDGET_S = 8;

/** Seconds of a compose duration such as `15s`, `1m30s`, `1500ms`. */
function seconds(duration: string): number {
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) throw new Error(`not a compose duration: ${duration}`);
  const unit = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001 } as const;
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u as keyof typeof unit], 0);
}

/** A stand-in for a service's HTTP port: `/readyz` answers `status`, anything else 404. */
async function standIn(status: number): Promise<{ port: number; paths: string[]; close: () => Promise<void> }> {
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.writeHead(req.url === '/readyz' ? status : 404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, paths, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('docker-compose.yml', () => {
  it('runs Kafka in KRaft mode from the official image, Postgres with a database per service, a mail catcher and a Kafka UI', () => {
    const { kafka, postgres, mailpit } = compose.services;
    expect(kafka!.image).toMatch(/^apache\/kafka:4\./);
    expect(readFileSync(path.join(root, 'infra/kafka/compose-broker.sh'), 'utf8')).toMatch(/^process\.roles=broker,controller$/m);
    expect(kafka!.healthcheck).toBeDefined();
    expect(postgres!.healthcheck).toBeDefined();
    expect(postgres!.environment!['POSTGRES_PASSWORD']).toBe(dotEnv['POSTGRES_PASSWORD']);
    expect(mailpit!.image).toMatch(/mailpit/);
    expect(Object.values(compose.services).some((s) => /kafka-ui/.test(s.image ?? ''))).toBe(true);
  });

  it('lives beside a developer\'s machine: Postgres unpublished, state in volumes, the broker of infra/kafka, a maintained Kafka UI', () => {
    const { kafka, postgres } = compose.services;
    // The README's other path (npm start) uses the local Postgres on 5432.
    expect(postgres!.ports ?? []).toEqual([]);
    const pom = readFileSync(path.join(root, 'infra/kafka/pom.xml'), 'utf8');
    expect(kafka!.image).toBe(`apache/kafka:${/<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)![1]}`);
    expect(kafka!.volumes).toContain('kafka-data:/var/lib/kafka/data');
    expect(kafka!.environment!['KAFKA_DATA_DIR']).toBe('/var/lib/kafka/data');
    expect(postgres!.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['grafana-data', 'kafka-data', 'postgres-data', 'prometheus-data']);
    expect(compose.services['kafka-ui']!.image).toMatch(/^ghcr\.io\/kafbat\/kafka-ui:v\d/);
    for (const [name, service] of Object.entries(compose.services)) {
      if (!['seed', 'db-init', 'kafka-acls'].includes(name)) expect([name, service.restart]).toEqual([name, 'unless-stopped']);
    }
    // Orders move on by themselves: shipping dispatches what nobody dispatches by hand.
    expect(Number(compose.services['shipping']!.environment!['AUTO_DISPATCH_MS'])).toBeGreaterThan(0);
  });

  it('ends `docker compose up` with demo data: a one-shot seed once stock and payment are ready, whose bundle builds', async () => {
    const { seed } = compose.services;
    expect(seed!.restart).toBe('no');
    expect(seed!.depends_on).toEqual({ stock: { condition: 'service_healthy' }, payment: { condition: 'service_healthy' } });
    expect(seed!.environment).toEqual({ STOCK_URL: `http://stock:${design.stock}`, PAYMENT_URL: `http://payment:${design.payment}`, ADMIN_TOKEN: dotEnv['ADMIN_TOKEN'] });
    const dockerfile = readFileSync(path.join(root, seed!.build!.dockerfile), 'utf8');
    const bundle = /RUN npx (esbuild .*)$/m.exec(dockerfile)![1]!.split(' ');
    const out = path.join(root, 'dist', 'seed-bundle-check.js');
    await run(path.join(root, 'node_modules/.bin/esbuild'), [...bundle.slice(1).filter((a) => !a.startsWith('--outfile')), `--outfile=${out}`], { cwd: root, timeout: 60_000 });
    // The bundle alone, no node_modules: it says how it failed when nothing answers.
    const attempt = run(process.execPath, [out], { cwd: path.dirname(out), env: { PATH: process.env['PATH'], STOCK_URL: 'http://127.0.0.1:9', PAYMENT_URL: 'http://127.0.0.1:9' }, timeout: 30_000 });
    await expect(attempt).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('seeding failed') });
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it("makes each service's role and database first: a one-shot db-init as the superuser, with each role's password, whose bundle makes them", async () => {
    const init = compose.services['db-init']!;
    expect(init.restart).toBe('no');
    expect(init.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(init.environment).toEqual({
      DATABASE_URL: `postgres://postgres:${dotEnv['POSTGRES_PASSWORD']}@postgres:5432/postgres`,
      ...Object.fromEntries(Object.keys(design).map((name) => [`${name.toUpperCase()}_DB_PASSWORD`, dotEnv[`${name.toUpperCase()}_DB_PASSWORD`]])),
    });
    for (const name of Object.keys(design)) expect(compose.services[name]!.depends_on!['db-init']).toEqual({ condition: 'service_completed_successfully' });
    // Its program, bundled as its Dockerfile bundles it, run alone (no node_modules) against the
    // test server: it makes the five roles, with their passwords, and their databases.
    const dockerfile = readFileSync(path.join(root, init.build!.dockerfile), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    const bundle = /RUN npx (esbuild .*)$/m.exec(dockerfile)![1]!.split(' ');
    const out = path.join(root, 'dist', 'db-init-bundle-check.js');
    await run(path.join(root, 'node_modules/.bin/esbuild'), [...bundle.slice(1).filter((a) => !a.startsWith('--outfile')), `--outfile=${out}`], { cwd: root, timeout: 60_000 });
    const prefix = `${uniqueName('t_dbinit')}_`;
    const server = process.env['DATABASE_URL']!;
    try {
      const passwords = Object.fromEntries(Object.keys(design).map((name) => [`${name.toUpperCase()}_DB_PASSWORD`, randomBytes(24).toString('base64url')]));
      const { stdout } = await run(process.execPath, [out], { cwd: path.dirname(out), env: { PATH: process.env['PATH'], DATABASE_URL: server, DATABASE_PREFIX: prefix, ...passwords }, timeout: 60_000 });
      expect(stdout).toContain(`created databases: ${Object.keys(design).map((name) => prefix + name).join(', ')}`);
      const { stdout: roles } = await run(
        process.execPath,
        ['-e', `const pg = require('pg'); const c = new pg.Client(process.argv[1]); c.connect().then(() => c.query("SELECT d.datname, pg_get_userbyid(d.datdba) AS owner, a.rolpassword LIKE 'SCRAM-SHA-256$%' AS scram, a.rolsuper FROM pg_database d JOIN pg_authid a ON a.rolname = d.datname WHERE d.datname LIKE $1 ORDER BY 1", [process.argv[2] + '%'])).then((r) => { console.log(JSON.stringify(r.rows)); return c.end(); })`, server, prefix],
        { cwd: root, timeout: 30_000 },
      );
      expect(JSON.parse(roles)).toEqual(Object.keys(design).sort().map((name) => ({ datname: prefix + name, owner: prefix + name, scram: true, rolsuper: false })));
    } finally {
      await Promise.all(Object.keys(design).map((name) => dropServiceDatabase(server, prefix + name).catch(() => undefined)));
    }
  });

  describe.each(Object.entries(design))('%s', (name, port) => {
    const service = compose.services[name]!;

    it('is built from its own Dockerfile: multi-stage, Nx builds only it, production dependencies, non-root, health check', () => {
      expect(service.build?.context).toBe('.');
      const dockerfile = path.join(root, service.build!.dockerfile);
      expect(existsSync(dockerfile)).toBe(true);
      const text = readFileSync(dockerfile, 'utf8');
      expect(text.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
      expect(text).toContain(`nx run ${name}:build`);
      expect(text).toMatch(/npm (ci|install) --omit=dev/);
      expect(text).toMatch(/^USER (?!root)\w+/m);
      expect(text).toMatch(/^HEALTHCHECK /m);
    });

    it(`listens on ${port} and starts only when Kafka and Postgres are healthy`, () => {
      expect(service.ports).toEqual([`${port}:${port}`]);
      expect(String(service.environment!['PORT'])).toBe(String(port));
      expect(service.depends_on!['kafka']).toEqual({ condition: 'service_healthy' });
      expect(service.depends_on!['postgres']).toEqual({ condition: 'service_healthy' });
      // As its own role, with that role's password from .env.
      expect(service.environment!['DATABASE_URL']).toBe(`postgres://${name}:${dotEnv[`${name.toUpperCase()}_DB_PASSWORD`]}@postgres:5432/${name}`);
    });

    it('is healthy only when /readyz says ready, checked with node (the image has no curl)', async () => {
      const check = service.healthcheck!;
      expect(Array.isArray(check.test)).toBe(true);
      const [kind, command, flag, script] = check.test as string[];
      expect([kind, command, flag]).toEqual(['CMD', 'node', '-e']);
      expect(script).toContain('/readyz');
      expect(script).toContain('fetch(');
      expect((check.test as string[]).join(' ')).not.toMatch(/\bcurl\b/);
      expect(seconds(check.timeout!)).toBeLessThanOrEqual(seconds(check.interval!));
      // The check itself, run as Docker runs it in the container (PORT set): 0 when ready, 1 when not, 1 when nothing answers.
      for (const [status, exitCode] of [[200, 0], [503, 1]] as const) {
        const server = await standIn(status);
        try {
          const outcome = await run(process.execPath, ['-e', script!], { env: { PATH: process.env['PATH'], PORT: String(server.port) }, timeout: 10_000 }).then(
            () => 0,
            (error: { code?: number }) => error.code,
          );
          expect({ status, exitCode: outcome }).toEqual({ status, exitCode });
          expect(server.paths).toEqual(['/readyz']);
        } finally {
          await server.close();
        }
      }
      const closed = await standIn(200);
      await closed.close();
      await expect(run(process.execPath, ['-e', script!], { env: { PATH: process.env['PATH'], PORT: String(closed.port) }, timeout: 10_000 })).rejects.toMatchObject({ code: 1 });
    });

    it(`is given longer to stop than its ${STOP_BUDGET_S} s stop budget (drain included)`, () => {
      expect(service.stop_grace_period).toBeDefined();
      expect(seconds(service.stop_grace_period!)).toBeGreaterThan(STOP_BUDGET_S);
      expect(seconds(service.stop_grace_period!)).toBeGreaterThanOrEqual(15);
    });

    it("has an environment its own configuration schema accepts", async () => {
      const env = Object.fromEntries(Object.entries(service.environment!).map(([k, v]) => [k, String(v)]));
      const { stdout } = await run(
        process.execPath,
        [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', path.join(root, 'tsconfig.base.json'), path.join(root, `apps/${name}/src/main.ts`), '--check-config'],
        { cwd: root, env: { PATH: process.env['PATH'], ...env }, timeout: 60_000 },
      );
      expect(stdout).toMatch(/configuration ok/);
    });
  });

  describe('web', () => {
    const web = compose.services['web']!;

    it('is built from its own Dockerfile: multi-stage, Nx builds only it, production dependencies, non-root, health check', () => {
      expect(web.build).toEqual({ context: '.', dockerfile: 'apps/web/Dockerfile' });
      const text = readFileSync(path.join(root, web.build!.dockerfile), 'utf8');
      expect(text.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
      expect(text).toContain('nx run web:build');
      expect(text).toMatch(/npm (ci|install) --omit=dev/);
      expect(text).toMatch(/^USER (?!root)\w+/m);
      expect(text).toMatch(/^HEALTHCHECK /m);
    });

    it('listens on 3000, reads Kafka, owns no database, and reaches each service at its port in the design', () => {
      expect(web.ports).toEqual(['3000:3000']);
      expect(String(web.environment!['PORT'])).toBe('3000');
      expect(web.environment!['DATABASE_URL']).toBeUndefined();
      expect(web.depends_on!['kafka']).toEqual({ condition: 'service_healthy' });
      expect(web.depends_on!['postgres']).toBeUndefined();
      for (const [name, port] of Object.entries(design)) {
        expect(String(web.environment![`${name.toUpperCase()}_URL`])).toBe(`http://${name}:${port}`);
        expect(web.depends_on![name]).toBeDefined();
      }
    });

    it("is healthy only when /readyz says ready (the services' check), and is given 15 s to stop", () => {
      expect(web.healthcheck).toEqual(compose.services['orders']!.healthcheck);
      expect(seconds(web.stop_grace_period!)).toBeGreaterThanOrEqual(15);
    });

    it('has an environment its own configuration schema accepts', async () => {
      const env = Object.fromEntries(Object.entries(web.environment!).map(([k, v]) => [k, String(v)]));
      const { stdout } = await run(
        process.execPath,
        [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', path.join(root, 'tsconfig.base.json'), path.join(root, 'apps/web/src/main.ts'), '--check-config'],
        { cwd: root, env: { PATH: process.env['PATH'], ...env }, timeout: 60_000 },
      );
      expect(stdout).toMatch(/configuration ok/);
    });
  });

  describe('Kafka with SASL and ACLs', () => {
    const withApp = ['orders', 'payment', 'stock', 'shipping', 'email', 'web'] as const;

    it('has each service and the web log in as its own principal, after a one-shot kafka-acls applied the ACLs as the operator', () => {
      for (const name of withApp) {
        const service = compose.services[name]!;
        expect([name, service.environment!['KAFKA_USERNAME'], service.environment!['KAFKA_PASSWORD']]).toEqual([name, name, dotEnv[`KAFKA_PASSWORD_${name}`]]);
        expect([name, service.depends_on!['kafka-acls']]).toEqual([name, { condition: 'service_completed_successfully' }]);
      }
      const acls = compose.services['kafka-acls']!;
      expect(acls).toMatchObject({ restart: 'no', depends_on: { kafka: { condition: 'service_healthy' } } });
      expect(acls.environment).toEqual({ KAFKA_BROKERS: 'kafka:9092', KAFKA_USERNAME: 'admin', KAFKA_PASSWORD: dotEnv['KAFKA_PASSWORD_admin'] });
      for (const p of principals) expect(compose.services['kafka']!.environment![`KAFKA_PASSWORD_${p}`]).toBe(dotEnv[`KAFKA_PASSWORD_${p}`]);
      // The brokers' scripts (bash) make the SCRAM users from their own list: the same principals as the ACLs'.
      const scripted = /^shop_principals=\(([^)]*)\)$/m.exec(readFileSync(path.join(root, 'infra/kafka/sasl.sh'), 'utf8'))![1]!.split(/\s+/).filter(Boolean);
      expect(scripted.sort()).toEqual([...principals].sort());
      expect(compose.services['kafka-ui']!.environment!['KAFKA_CLUSTERS_0_PROPERTIES_SASL_JAAS_CONFIG']).toContain(`username="admin" password="${dotEnv['KAFKA_PASSWORD_admin']}"`);
    });

    // compose's broker for real: its entrypoint (compose-broker.sh) with the jars of infra/kafka and
    // compose's environment, then kafka-acls's bundle, as its Dockerfile builds it, run alone.
    describe('its broker, started by its entrypoint here', () => {
      const kafkaEnv = compose.services['kafka']!.environment as Record<string, string>;
      let broker: ReturnType<typeof spawn> | undefined;
      let dir: string;
      let internal: string;
      let external: string;
      const as = (address: string, credentials?: KafkaCredentials) => createQuietKafka({ clientId: 'compose-kafka-test', brokers: [address], credentials });
      const login = (principal: string): KafkaCredentials => ({ username: principal, password: dotEnv[`KAFKA_PASSWORD_${principal}`]! });

      /**
       * Starts compose's broker script on free ports. A port free when asked for can be taken before
       * the JVM binds it (an outgoing connection of a busy machine takes ephemeral ports too): a
       * broker that could not bind is started again on other ports; any other exit fails with its log.
       */
      async function startBroker(classpath: string, attempt = 1): Promise<void> {
        const [port, controller, externalPort] = [await freePort(), await freePort(), await freePort()];
        internal = `127.0.0.1:${port}`;
        external = `127.0.0.1:${externalPort}`;
        const logFile = path.join(dir, `broker-${attempt}.log`);
        const logFd = openSync(logFile, 'w');
        broker = spawn('bash', [path.join(root, 'infra/kafka/compose-broker.sh')], {
          env: {
            PATH: process.env['PATH'],
            ...kafkaEnv,
            KAFKA_CLASSPATH: classpath,
            KAFKA_DATA_DIR: path.join(dir, `data-${attempt}`),
            KAFKA_CONFIG_DIR: path.join(dir, 'config'),
            KAFKA_BIND: '127.0.0.1',
            KAFKA_HOST: '127.0.0.1',
            KAFKA_EXTERNAL_HOST: '127.0.0.1',
            KAFKA_INTERNAL_PORT: String(port),
            KAFKA_CONTROLLER_PORT: String(controller),
            KAFKA_EXTERNAL_PORT: String(externalPort),
            KAFKA_HEAP_OPTS: '-Xmx512m',
          },
          stdio: ['ignore', logFd, logFd],
          detached: true,
        });
        closeSync(logFd);
        const started = broker;
        const up = await waitFor(
          async () => {
            if (started.exitCode !== null || started.signalCode !== null) return 'exited';
            const admin = as(internal, login('admin'));
            return ensureTopics(admin, ['orders', 'payments'], 1).then(
              () => 'up',
              () => false,
            );
          },
          { timeoutMs: 180_000, intervalMs: 1_000, description: `compose's broker up, the operator able to create topics (its log: ${logFile})` },
        );
        if (up === 'up') return;
        const log = readFileSync(logFile, 'utf8');
        if (/BindException|Address already in use/.test(log) && attempt < 3) return startBroker(classpath, attempt + 1);
        throw new Error(`compose's broker exited (${started.exitCode ?? started.signalCode}):\n${log.split('\n').slice(-40).join('\n')}`);
      }

      beforeAll(async () => {
        dir = mkdtempSync(path.join(os.tmpdir(), 'compose-kafka-'));
        const classpath = (await run('bash', [path.join(root, 'infra/kafka/kafka.sh'), 'classpath'], { timeout: 300_000 })).stdout.trim();
        await startBroker(classpath);
        const acls = compose.services['kafka-acls']!;
        const dockerfile = readFileSync(path.join(root, acls.build!.dockerfile), 'utf8');
        const bundle = /RUN npx (esbuild .*)$/m.exec(dockerfile)![1]!.split(' ');
        // The image has the events' schemas beside the program; here they are read where they are.
        expect(dockerfile).toMatch(/^COPY --from=build \/repo\/libs\/events\/schemas \.\/schemas$/m);
        const out = path.join(root, 'dist', 'kafka-acls-bundle-check.js');
        await run(path.join(root, 'node_modules/.bin/esbuild'), [...bundle.slice(1).filter((a) => !a.startsWith('--outfile')), `--outfile=${out}`], { cwd: root, timeout: 60_000 });
        const { stdout } = await run(process.execPath, [out], {
          cwd: path.dirname(out),
          env: { PATH: process.env['PATH'], ...(acls.environment as Record<string, string>), KAFKA_BROKERS: internal, WEBSHOP_SCHEMAS_DIR: path.join(root, 'libs/events/schemas') },
          timeout: 60_000,
        });
        expect(stdout).toMatch(/^applied \d+ ACLs from the topic registry/);
      }, 600_000);
      afterAll(() => {
        if (broker?.pid && broker.exitCode === null && broker.signalCode === null) process.kill(-broker.pid, 'SIGKILL');
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      const send = async (kafka: ReturnType<typeof as>, topic: string) => {
        const producer = await connectProducer(kafka);
        try {
          await producer.send(topic, [{ key: 'k', value: 'v' }]);
        } finally {
          await producer.disconnect().catch(() => undefined);
        }
      };

      it('lets payment write its own topic, on either listener, and refuses it the orders topic', async () => {
        await send(as(internal, login('payment')), 'payments');
        await send(as(external, login('payment')), 'payments');
        await expect(send(as(internal, login('payment')), 'orders')).rejects.toThrow(/not authorized|authorization/i);
      }, 120_000);

      it('refuses a client without a login, and one with a wrong password', async () => {
        await expect(send(as(internal), 'payments')).rejects.toThrow();
        await expect(send(as(internal, { username: 'payment', password: 'not-the-password' }), 'payments')).rejects.toThrow(/SASL|authentication/i);
      }, 120_000);
    });
  });

  describe('Prometheus and Grafana', () => {
    const volumeAt = (service: string, target: string) =>
      compose.services[service]!.volumes!.map((v) => v.split(':')).find(([, at]) => at === target)?.[0];

    it('runs Prometheus on infra/prometheus/prometheus.yml, which promtool accepts, scraping the five services at their ports', async () => {
      const prometheus = compose.services['prometheus']!;
      expect(prometheus.image).toMatch(/^prom\/prometheus:v2\.\d+\.\d+$/);
      expect(volumeAt('prometheus', '/etc/prometheus/prometheus.yml')).toBe('./infra/prometheus/prometheus.yml');
      const config = prometheusConfig();
      expect(config.scrape_configs.flatMap((job) => job.static_configs.flatMap((c) => c.targets)).sort()).toEqual(Object.entries(design).map(([name, port]) => `${name}:${port}`).sort());
      for (const [name, port] of Object.entries(design)) expect(compose.services[name]!.environment!['PORT']).toBe(port);
      const { stdout } = await run('promtool', ['check', 'config', PROMETHEUS_CONFIG]);
      expect(stdout).toMatch(/SUCCESS/);
    });

    it('runs Grafana with the Prometheus data source and the dashboard provisioned, from the paths its provisioning names', () => {
      expect(compose.services['grafana']!.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
      expect(volumeAt('grafana', '/etc/grafana/provisioning')).toBe('./infra/grafana/provisioning');
      const provider = parse(readFileSync(path.join(root, 'infra/grafana/provisioning/dashboards/webshop.yml'), 'utf8')) as { providers: Array<{ options: { path: string } }> };
      expect(volumeAt('grafana', provider.providers[0]!.options.path)).toBe('./infra/grafana/dashboards');
      const sources = parse(readFileSync(path.join(root, 'infra/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string; url: string }> };
      expect(sources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
      expect(compose.services['prometheus']!.ports).toEqual(['9090:9090']);

      // Every panel and query reads that data source; the dashboard shows what the issue asks of it.
      const { panels } = dashboard();
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid: sources.datasources[0]!.uid });
        expect(panel.targets!.length).toBeGreaterThan(0);
      }
      const read = new Set(dashboardQueries().flatMap(({ expr }) => metricsOf(expr)));
      expect([...read]).toEqual(
        expect.arrayContaining([
          'webshop_events_consumed_total', // throughput
          'webshop_event_age_seconds',
          'webshop_consumer_lag_records',
          'webshop_outbox_pending_events',
          'webshop_dead_letters_total',
          'webshop_http_request_duration_seconds',
        ]),
      );
      expect(compose.services['prometheus']!.volumes).toContain('prometheus-data:/prometheus');
    });
  });

  it("sends every service's spans to Jaeger over OTLP/HTTP, whose UI is published", () => {
    const jaeger = compose.services['jaeger']!;
    expect(jaeger.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/); // v2: OTLP built in, in-memory storage by default
    expect(jaeger.ports).toEqual(['16686:16686']);
    for (const name of Object.keys(design)) expect({ name, endpoint: compose.services[name]!.environment!['OTEL_EXPORTER_OTLP_ENDPOINT'] }).toEqual({ name, endpoint: 'http://jaeger:4318' });
  });

  describe('secrets and hardening', () => {
    const built = Object.entries(compose.services).filter(([, service]) => service.build);

    it('takes every secret from .env (git-ignored, never in an image\'s build context), each listed in .env.example without a value', async () => {
      const referenced = [...new Set([...rawCompose.matchAll(/\$\{([A-Za-z0-9_]+)/g)].map((m) => m[1]!))];
      expect(referenced).toEqual(
        expect.arrayContaining(['ADMIN_TOKEN', 'POSTGRES_PASSWORD', ...Object.keys(design).map((name) => `${name.toUpperCase()}_DB_PASSWORD`), ...principals.map((p) => `KAFKA_PASSWORD_${p}`)]),
      );
      expect(rawCompose).not.toMatch(/postgres:\/\/[^:\s]+:(?!\$\{)/); // no password written into a URL
      for (const name of referenced) expect([name, new RegExp(`^${name}=$`, 'm').test(exampleEnv)]).toEqual([name, true]);
      // The operator token is required: compose refuses to start without it, naming it.
      expect(() => interpolate(rawCompose, {})).toThrow(/ADMIN_TOKEN: set ADMIN_TOKEN in \.env/);
      // Only the services with operator endpoints are given it; the web server holds none.
      for (const name of ['payment', 'stock', 'shipping']) expect(compose.services[name]!.environment!['ADMIN_TOKENS']).toBe(dotEnv['ADMIN_TOKEN']);
      for (const name of ['orders', 'email', 'web']) expect(compose.services[name]!.environment!['ADMIN_TOKENS']).toBeUndefined();
      await expect(run('git', ['check-ignore', '-q', '.env'], { cwd: root })).resolves.toBeDefined();
      expect(readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n')).toContain('.env');
    });

    it.each(['orders', 'payment', 'stock', 'shipping', 'email', 'web', 'seed', 'db-init', 'kafka-acls'])('%s runs as non-root on a read-only root filesystem, with no capabilities', (name) => {
      const service = compose.services[name]!;
      expect(built.map(([n]) => n)).toContain(name);
      expect(readFileSync(path.join(root, service.build!.dockerfile), 'utf8')).toMatch(/^USER node$/m);
      expect(service).toMatchObject({ read_only: true, tmpfs: ['/tmp'], cap_drop: ['ALL'] });
    });

    it('lets only the web front end\'s origin call the services across origins', () => {
      for (const name of Object.keys(design)) expect(compose.services[name]!.environment!['CORS_ORIGIN']).toBe('http://localhost:3000');
      expect(compose.services['web']!.ports).toEqual(['3000:3000']);
    });
  });

  it("a service's configuration check refuses a missing operator token, naming ADMIN_TOKENS and the demo mode", async () => {
    const attempt = run(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', path.join(root, 'tsconfig.base.json'), path.join(root, 'apps/payment/src/main.ts'), '--check-config'],
      { cwd: root, env: { PATH: process.env['PATH'], KAFKA_BROKERS: 'kafka:9092', DATABASE_URL: 'postgres://payment@postgres:5432/payment' }, timeout: 60_000 },
    );
    await expect(attempt).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/ADMIN_TOKENS: is required.*ADMIN_AUTH=off/s) });
  });

  it("a service's configuration check names what is wrong", async () => {
    const attempt = run(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', path.join(root, 'tsconfig.base.json'), path.join(root, 'apps/orders/src/main.ts'), '--check-config'],
      { cwd: root, env: { PATH: process.env['PATH'], PORT: 'eighty', DATABASE_URL: 'postgres://x@y/z' }, timeout: 60_000 },
    );
    await expect(attempt).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/PORT: .*\n.*KAFKA_BROKERS: is required/s) });
  });
});
