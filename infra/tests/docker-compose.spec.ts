/**
 * docker compose cannot run on a machine without a Docker engine, so its file is checked instead:
 * every service's environment passes that service's OWN configuration schema (each service's
 * `main.ts --check-config`), ports and dependencies match the design, and every Dockerfile it names
 * exists and builds one service, multi-stage, as a non-root user, with a health check.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { build?: { context: string; dockerfile: string }; ports?: string[]; environment?: Record<string, unknown>; depends_on?: Record<string, { condition: string }>; healthcheck?: unknown; image?: string }>;
};
const design = { orders: 3001, payment: 3002, stock: 3003, shipping: 3004, email: 3005 } as const;

describe('docker-compose.yml', () => {
  it('runs Kafka in KRaft mode from the official image, Postgres with a database per service, a mail catcher and a Kafka UI', () => {
    const { kafka, postgres, mailpit } = compose.services;
    expect(kafka!.image).toMatch(/^apache\/kafka:4\./);
    expect(kafka!.environment!['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(kafka!.healthcheck).toBeDefined();
    expect(postgres!.healthcheck).toBeDefined();
    const init = readFileSync(path.join(root, 'infra/postgres/init.sql'), 'utf8');
    for (const name of Object.keys(design)) expect(init).toContain(`CREATE DATABASE ${name};`);
    expect(mailpit!.image).toMatch(/mailpit/);
    expect(Object.values(compose.services).some((s) => /kafka-ui/.test(s.image ?? ''))).toBe(true);
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
      expect(String(service.environment!['DATABASE_URL'])).toMatch(new RegExp(`@postgres:5432/${name}$`));
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

  it("a service's configuration check names what is wrong", async () => {
    const attempt = run(
      process.execPath,
      [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '--tsconfig', path.join(root, 'tsconfig.base.json'), path.join(root, 'apps/orders/src/main.ts'), '--check-config'],
      { cwd: root, env: { PATH: process.env['PATH'], PORT: 'eighty', DATABASE_URL: 'postgres://x@y/z' }, timeout: 60_000 },
    );
    await expect(attempt).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/PORT: .*\n.*KAFKA_BROKERS: is required/s) });
  });
});
