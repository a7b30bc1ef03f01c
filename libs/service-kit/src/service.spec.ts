import { createTestDatabase, type TestDatabase } from '@webshop/postgres/testing';
import { freePort, testOperatorToken, waitFor } from '@webshop/testing-core';
import { testKafkaAccess } from '@webshop/kafka/testing';
import { createLogger } from './logger';
import { startService, type ServiceConfig, type ServiceDefinition } from './service';
import { StartupAborted, StartupTimedOut } from './startup';

/** A service with nothing of its own: the plumbing alone. */
const bare: ServiceDefinition = { name: 'payment', migrations: [] };

describe('a service whose dependencies are away at start-up', () => {
  const kafka = testKafkaAccess();
  const prefix = `startup-${Date.now()}.`;
  let db: TestDatabase;
  let revoke: () => Promise<void>;
  beforeAll(async () => {
    db = await createTestDatabase('startup');
    revoke = await kafka.grantShop(prefix); // the service logs in as payment, with its ACLs on this prefix
  });
  afterAll(async () => {
    await revoke();
    await db.drop();
  });

  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ service: 'payment' }, 'info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  const { KAFKA_USERNAME, KAFKA_PASSWORD } = kafka.env('payment'); // its login, on a broker with SASL
  const config = async (overrides: Partial<ServiceConfig>): Promise<ServiceConfig> => ({
    PORT: await freePort(),
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_USERNAME,
    KAFKA_PASSWORD,
    DATABASE_URL: db.url,
    LOG_LEVEL: 'info',
    TOPIC_PREFIX: prefix,
    KAFKA_PARTITIONS: 1,
    ADMIN_TOKENS: [testOperatorToken],
    ...overrides,
  });
  const get = async (port: number, path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: (await response.json()) as { checks?: Array<{ name: string; reason?: string }>; error?: string } };
  };

  it('waits for Postgres, is alive but not ready meanwhile, and gives up after STARTUP_TIMEOUT_MS naming it', async () => {
    const closed = await freePort(); // nothing listens there
    const settings = await config({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/nowhere`, STARTUP_TIMEOUT_MS: 3_000 });
    const starting = startService(bare, settings, logger);
    const outcome = starting.catch((error: unknown) => error);
    await waitFor(async () => (await get(settings.PORT, '/healthz')).status === 200, { description: 'the health endpoint' });
    const ready = await get(settings.PORT, '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks?.find((c) => c.name === 'lifecycle')?.reason).toMatch(/waiting for postgres \(.*ECONNREFUSED/);
    expect(await get(settings.PORT, '/accounts/alice')).toMatchObject({ status: 503, body: { error: 'not_ready' } });

    const error = await outcome;
    expect(error).toBeInstanceOf(StartupTimedOut);
    expect((error as Error).message).toMatch(/gave up waiting for postgres after 3000 ms/);
    expect(lines.some((l) => l['msg'] === 'waiting for postgres')).toBe(true);
    await expect(fetch(`http://127.0.0.1:${settings.PORT}/healthz`)).rejects.toThrow(); // nothing left listening
  });

  it('waits for Kafka once Postgres is there, and names it when it gives up', async () => {
    const closed = await freePort();
    const settings = await config({ KAFKA_BROKERS: [`127.0.0.1:${closed}`], STARTUP_TIMEOUT_MS: 4_000 });
    const error = await startService(bare, settings, logger).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupTimedOut);
    expect((error as Error).message).toMatch(/gave up waiting for kafka/);
  });

  it('stops waiting when asked to stop, and leaves nothing behind', async () => {
    const closed = await freePort();
    const settings = await config({ DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/nowhere` });
    const abort = new AbortController();
    const outcome = startService(bare, settings, logger, { signal: abort.signal }).catch((e: unknown) => e);
    await waitFor(async () => (await get(settings.PORT, '/healthz')).status === 200, { description: 'the health endpoint' });
    abort.abort();
    expect(await outcome).toBeInstanceOf(StartupAborted);
    await expect(fetch(`http://127.0.0.1:${settings.PORT}/healthz`)).rejects.toThrow();
  });

  it('becomes ready once everything is there, and says "stopping" from the moment it stops', async () => {
    const settings = await config({ SHUTDOWN_DRAIN_MS: 1_000 });
    const service = await startService(bare, settings, logger);
    expect((await get(service.port, '/readyz')).status).toBe(200);
    const stopped = service.stop();
    const draining = await get(service.port, '/readyz');
    expect(draining.status).toBe(503);
    expect(draining.body.checks?.find((c) => c.name === 'lifecycle')?.reason).toBe('stopping');
    await stopped;
    await expect(fetch(`http://127.0.0.1:${service.port}/readyz`)).rejects.toThrow();
  });
});
