/**
 * The whole shop for an end-to-end test: the five services as real processes (from source), each
 * with a database of its own, all on one topic prefix of the shared broker, plus a real SMTP mail
 * catcher. Services can be killed and restarted mid-flow.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { databaseUrlFor, dropDatabase } from '@webshop/postgres';
import { freePort, startMailCatcher, startServiceProcess, testBrokers, uniqueName, type MailCatcher, type ServiceProcess } from '@webshop/testing';

export const serviceNames = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface Shop {
  url: Record<ServiceName, string>;
  prefix: string;
  mail: MailCatcher;
  databaseUrl: Record<ServiceName, string>;
  logDir: string;
  /** Kills the service (SIGKILL by default: no goodbye, nothing flushed) and starts it again. */
  restart(name: ServiceName, options?: { graceful?: boolean }): Promise<void>;
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the service again; `waitUntilReady: false` answers as soon as it is spawned. */
  start(name: ServiceName, options?: { waitUntilReady?: boolean }): Promise<void>;
  /** The running process of a service. */
  process(name: ServiceName): ServiceProcess;
  /** Exits nobody asked for: `<service> exited with <code or signal>`. */
  unexpectedExits: string[];
  stop(): Promise<void>;
}

export interface ShopOptions {
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The broker (default: the suite's shared one). */
  brokers?: string[];
  /** The Postgres server, as a URL of its `postgres` database (default: the suite's shared one). */
  databaseServer?: string;
  /** false: resolve once the processes are spawned, without waiting for them to be ready. */
  waitUntilReady?: boolean;
}

export async function startShop({ env: extraEnv = {}, brokers = testBrokers(), databaseServer, waitUntilReady = true }: ShopOptions = {}): Promise<Shop> {
  const id = uniqueName('shop');
  const prefix = `${id.replace(/_/g, '-')}.`;
  const server = databaseServer ?? process.env['DATABASE_URL']!;
  const logDir = path.join(os.tmpdir(), 'webshop-e2e', id);
  mkdirSync(logDir, { recursive: true });
  const mail = await startMailCatcher();
  const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (s) => [s, await freePort()]))) as Record<ServiceName, number>;
  const databaseUrl = Object.fromEntries(serviceNames.map((s) => [s, databaseUrlFor(server, `${id}_${s}`.slice(0, 63))])) as Record<ServiceName, string>;
  const url = Object.fromEntries(serviceNames.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<ServiceName, string>;
  const running = new Map<ServiceName, ServiceProcess>();
  const unexpectedExits: string[] = [];
  const killing = new Set<ServiceProcess>();

  async function start(name: ServiceName, options: { waitUntilReady?: boolean } = {}): Promise<void> {
    const service = await startServiceProcess({
      name,
      port: ports[name],
      logFile: path.join(logDir, `${name}.log`),
      waitUntilReady: options.waitUntilReady ?? waitUntilReady,
      env: {
        KAFKA_BROKERS: brokers.join(','),
        DATABASE_URL: databaseUrl[name],
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        SMTP_URL: mail.url,
        ...extraEnv[name],
      },
    });
    running.set(name, service);
    service.exited.then((code) => {
      if (!killing.has(service)) unexpectedExits.push(`${name} exited with ${code ?? service.child.signalCode}`);
    });
  }
  const kill = async (name: ServiceName, signal: NodeJS.Signals = 'SIGKILL') => {
    const service = running.get(name);
    if (!service) return null;
    killing.add(service);
    return service.stop(signal);
  };

  // Every start runs to its end before a failure is reported, so none is left running behind it.
  const started = await Promise.allSettled(serviceNames.map((name) => start(name)));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.all(serviceNames.map((s) => kill(s)));
    await mail.stop();
    throw failure.reason;
  }

  return {
    url,
    prefix,
    mail,
    databaseUrl,
    logDir,
    start,
    kill,
    process: (name) => running.get(name)!,
    unexpectedExits,
    async restart(name, options = {}) {
      await kill(name, options.graceful ? 'SIGTERM' : 'SIGKILL');
      await start(name);
    },
    async stop() {
      await Promise.all(serviceNames.map((s) => kill(s, 'SIGTERM')));
      await mail.stop();
      await Promise.all(serviceNames.map((s) => dropDatabase(server, new URL(databaseUrl[s]).pathname.slice(1)).catch(() => undefined)));
    },
  };
}
