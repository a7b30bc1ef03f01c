/**
 * The whole shop for an end-to-end test: the five services as real processes (from source), each
 * with a database of its own, all on one topic prefix of the shared broker, plus a real SMTP mail
 * catcher. Services can be killed and restarted mid-flow. With `replicas: N`, each service runs as
 * N instances on one database and consumer group, each on a port of its own.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dropServiceDatabase, ensureServiceDatabase } from '@webshop/postgres';
import { freePort, startMailCatcher, startServiceProcess, testKafkaAccess, uniqueName, type KafkaAccess, type MailCatcher, type ServiceProcess } from '@webshop/testing';

export const serviceNames = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface Shop {
  /** The first instance of each service. */
  url: Record<ServiceName, string>;
  /** Every instance of each service. */
  urls: Record<ServiceName, string[]>;
  prefix: string;
  mail: MailCatcher;
  /** Each service's database, as its own role (the owner of it, no superuser). */
  databaseUrl: Record<ServiceName, string>;
  logDir: string;
  /** Kills an instance (SIGKILL by default: no goodbye, nothing flushed) and starts it again. */
  restart(name: ServiceName, options?: { graceful?: boolean; instance?: number }): Promise<void>;
  /** Ends an instance (the first by default) with `signal` (SIGKILL by default); answers its exit code. */
  kill(name: ServiceName, signal?: NodeJS.Signals, instance?: number): Promise<number | null>;
  /** Starts an instance again; `waitUntilReady: false` answers as soon as it is spawned. */
  start(name: ServiceName, options?: { waitUntilReady?: boolean; instance?: number }): Promise<void>;
  /** The running process of an instance (the first by default). */
  process(name: ServiceName, instance?: number): ServiceProcess;
  /** Exits nobody asked for: `<service>#<instance> exited with <code or signal>`. */
  unexpectedExits: string[];
  stop(): Promise<void>;
}

export interface ShopOptions {
  /** Extra environment per service. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The broker (default: the suite's shared one); on one with SASL each service logs in as itself, with the ACLs of this shop's prefix. */
  kafka?: KafkaAccess;
  /** The Postgres server, as a URL of its `postgres` database (default: the suite's shared one). */
  databaseServer?: string;
  /** false: resolve once the processes are spawned, without waiting for them to be ready. */
  waitUntilReady?: boolean;
  /** Instances of each service (default 1). */
  replicas?: number;
}

export async function startShop({ env: extraEnv = {}, kafka = testKafkaAccess(), databaseServer, waitUntilReady = true, replicas = 1 }: ShopOptions = {}): Promise<Shop> {
  const id = uniqueName('shop');
  const prefix = `${id.replace(/_/g, '-')}.`;
  const server = databaseServer ?? process.env['DATABASE_URL']!;
  const logDir = path.join(os.tmpdir(), 'webshop-e2e', id);
  mkdirSync(logDir, { recursive: true });
  // Each service's database and its own role, as `npm run db:create` makes them: they run as that role.
  const databases = await Promise.all(serviceNames.map((s) => ensureServiceDatabase(server, `${id}_${s}`.slice(0, 63))));
  const revokeAcls = await kafka.grantShop(prefix);
  const mail = await startMailCatcher();
  const instances = Array.from({ length: replicas }, (_, i) => i);
  const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (s) => [s, await Promise.all(instances.map(() => freePort()))]))) as Record<ServiceName, number[]>;
  const databaseUrl = Object.fromEntries(serviceNames.map((s, i) => [s, databases[i]!.url])) as Record<ServiceName, string>;
  const urls = Object.fromEntries(serviceNames.map((s) => [s, ports[s].map((port) => `http://127.0.0.1:${port}`)])) as Record<ServiceName, string[]>;
  const url = Object.fromEntries(serviceNames.map((s) => [s, urls[s][0]!])) as Record<ServiceName, string>;
  const running = new Map<string, ServiceProcess>();
  const unexpectedExits: string[] = [];
  const killing = new Set<ServiceProcess>();
  const label = (name: ServiceName, instance: number) => (replicas === 1 ? name : `${name}#${instance}`);

  async function start(name: ServiceName, options: { waitUntilReady?: boolean; instance?: number } = {}): Promise<void> {
    const instance = options.instance ?? 0;
    const service = await startServiceProcess({
      name,
      port: ports[name][instance]!,
      logFile: path.join(logDir, `${label(name, instance)}.log`),
      waitUntilReady: options.waitUntilReady ?? waitUntilReady,
      kafka,
      env: {
        DATABASE_URL: databaseUrl[name],
        TOPIC_PREFIX: prefix,
        LOG_LEVEL: 'info',
        SMTP_URL: mail.url,
        ...extraEnv[name],
      },
    });
    running.set(label(name, instance), service);
    service.exited.then((code) => {
      if (!killing.has(service)) unexpectedExits.push(`${label(name, instance)} exited with ${code ?? service.child.signalCode}`);
    });
  }
  const kill = async (name: ServiceName, signal: NodeJS.Signals = 'SIGKILL', instance = 0) => {
    const service = running.get(label(name, instance));
    if (!service) return null;
    killing.add(service);
    return service.stop(signal);
  };
  const everyInstance = serviceNames.flatMap((name) => instances.map((instance) => ({ name, instance })));

  // Every start runs to its end before a failure is reported, so none is left running behind it.
  const started = await Promise.allSettled(everyInstance.map(({ name, instance }) => start(name, { instance })));
  const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.all(everyInstance.map(({ name, instance }) => kill(name, 'SIGKILL', instance)));
    await mail.stop();
    await revokeAcls().catch(() => undefined);
    throw failure.reason;
  }

  return {
    url,
    urls,
    prefix,
    mail,
    databaseUrl,
    logDir,
    start,
    kill,
    process: (name, instance = 0) => running.get(label(name, instance))!,
    unexpectedExits,
    async restart(name, options = {}) {
      await kill(name, options.graceful ? 'SIGTERM' : 'SIGKILL', options.instance);
      await start(name, { instance: options.instance });
    },
    async stop() {
      await Promise.all(everyInstance.map(({ name, instance }) => kill(name, 'SIGTERM', instance)));
      await mail.stop();
      await revokeAcls().catch(() => undefined);
      await Promise.all(databases.map(({ name }) => dropServiceDatabase(server, name).catch(() => undefined)));
    },
  };
}
