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
  start(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

export async function startShop(extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<Shop> {
  const id = uniqueName('shop');
  const prefix = `${id.replace(/_/g, '-')}.`;
  const server = process.env['DATABASE_URL']!;
  const logDir = path.join(os.tmpdir(), 'webshop-e2e', id);
  mkdirSync(logDir, { recursive: true });
  const mail = await startMailCatcher();
  const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (s) => [s, await freePort()]))) as Record<ServiceName, number>;
  const databaseUrl = Object.fromEntries(serviceNames.map((s) => [s, databaseUrlFor(server, `${id}_${s}`.slice(0, 63))])) as Record<ServiceName, string>;
  const url = Object.fromEntries(serviceNames.map((s) => [s, `http://127.0.0.1:${ports[s]}`])) as Record<ServiceName, string>;
  const running = new Map<ServiceName, ServiceProcess>();

  async function start(name: ServiceName): Promise<void> {
    running.set(
      name,
      await startServiceProcess({
        name,
        port: ports[name],
        logFile: path.join(logDir, `${name}.log`),
        env: {
          KAFKA_BROKERS: testBrokers().join(','),
          DATABASE_URL: databaseUrl[name],
          TOPIC_PREFIX: prefix,
          LOG_LEVEL: 'info',
          SMTP_URL: mail.url,
          ...extraEnv[name],
        },
      }),
    );
  }
  const kill = async (name: ServiceName, signal: NodeJS.Signals = 'SIGKILL') => (await running.get(name)?.stop(signal)) ?? null;

  // Every start runs to its end before a failure is reported, so none is left running behind it.
  const started = await Promise.allSettled(serviceNames.map(start));
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
