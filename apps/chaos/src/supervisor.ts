/**
 * The private shop and its supervisor: a Postgres cluster, a Kafka broker (or three-node cluster),
 * an SMTP catcher and `replicas` instances of each of the five services as OS processes, all of
 * this run's own. Like an orchestrator, it starts again (after a moment) any instance that exited,
 * whether a fault killed it or it exited on its own; the latter are counted as unexpected exits.
 * Requests are spread round robin over the instances that are running and ready (`pick`), as a
 * load balancer would. `teardown()` removes everything, whatever state it is in.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { databaseUrlFor, ensureServiceDatabase } from '@webshop/postgres';
import {
  createDedicatedBroker,
  createDedicatedPostgres,
  freePort,
  startMailCatcher,
  startServiceProcess,
  type DedicatedBroker,
  type DedicatedPostgres,
  type MailCatcher,
  type ServiceProcess,
} from '@webshop/testing';
import { serviceNames, type ServiceName } from './schedule';

export const TOPIC_PREFIX = 'chaos.';
const RESTART_AFTER_MS = 1_000;

export interface Instance {
  service: ServiceName;
  index: number;
  name: string;
  url: string;
  port: number;
  process?: ServiceProcess;
  /** Running and not paused. */
  running: boolean;
  paused: boolean;
  /** The last /readyz answered 200. */
  ready: boolean;
  starts: number;
}

export interface ExitRecord {
  instance: string;
  atMs: number;
  code: number | null;
  signal: string | null;
  /** true: a fault of ours did it; false: it exited on its own. */
  expected: boolean;
}

export interface Shop {
  postgres: DedicatedPostgres;
  broker: DedicatedBroker;
  mail: MailCatcher;
  instances: Instance[];
  /** Each database as the cluster's superuser, for the checker and the control plants (the services run as their own roles). */
  databaseUrl: Record<ServiceName, string>;
  logDir: string;
  exits: ExitRecord[];
  /** The next instance of `service` to send a request to (round robin over the ready ones). */
  pick(service: ServiceName): Instance;
  instance(service: ServiceName, index: number): Instance;
  kill(instance: Instance): Promise<void>;
  pause(instance: Instance): void;
  resume(instance: Instance): void;
  /** Resolves once every instance runs and answers /readyz 200. */
  allReady(timeoutMs: number): Promise<void>;
  teardown(): Promise<void>;
}

export interface ShopOptions {
  replicas: number;
  nodes: number;
  logDir: string;
  /** ms since the start of the run, for the exit records. */
  clock: () => number;
  log: (line: string) => void;
}

export async function startShop({ replicas, nodes, logDir, clock, log }: ShopOptions): Promise<Shop> {
  mkdirSync(logDir, { recursive: true });
  const cleanups: Array<() => Promise<unknown>> = [];
  let stopping = false;
  const instances: Instance[] = [];
  const exits: ExitRecord[] = [];
  const expectedExit = new WeakSet<ServiceProcess>();
  const timers = new Set<NodeJS.Timeout>();
  let poller: NodeJS.Timeout | undefined;

  async function teardown(): Promise<void> {
    stopping = true;
    if (poller) clearInterval(poller);
    for (const t of timers) clearTimeout(t);
    await Promise.all(
      instances.map(async (i) => {
        const p = i.process;
        if (!p) return;
        expectedExit.add(p);
        p.child.kill('SIGCONT');
        const graceful = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
        await p.stop('SIGTERM');
        clearTimeout(graceful);
      }),
    );
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => log(`teardown: ${String(error)}`));
  }

  try {
    const [postgres, broker] = await Promise.all([createDedicatedPostgres(), createDedicatedBroker({ nodes })]);
    cleanups.push(() => postgres.destroy(), () => broker.destroy());
    await Promise.all([postgres.start(), broker.start()]);
    await broker.grantShop(TOPIC_PREFIX); // each service logs in as itself, allowed what the registry gives it
    const mail = await startMailCatcher();
    cleanups.push(() => mail.stop());
    log(`postgres ${postgres.url}, kafka ${broker.brokers.join(',')}, smtp ${mail.url}`);
    // Each service runs as its own role, owner of its database only (ensureServiceDatabase, as
    // `npm run db:create` makes them); the checker and the control plants read and write every
    // database as the cluster's superuser: they are the operator's tools, not a service.
    const roles = await Promise.all(serviceNames.map((s) => ensureServiceDatabase(postgres.url, s)));
    const serviceUrl = Object.fromEntries(serviceNames.map((s, i) => [s, roles[i]!.url])) as Record<ServiceName, string>;
    const databaseUrl = Object.fromEntries(serviceNames.map((s) => [s, databaseUrlFor(postgres.url, s)])) as Record<ServiceName, string>;

    for (const service of serviceNames) {
      for (let index = 0; index < replicas; index++) {
        const port = await freePort();
        instances.push({ service, index, name: `${service}#${index}`, port, url: `http://127.0.0.1:${port}`, running: false, paused: false, ready: false, starts: 0 });
      }
    }
    const env = (service: ServiceName): Record<string, string> => ({
      DATABASE_URL: serviceUrl[service],
      TOPIC_PREFIX,
      LOG_LEVEL: 'warn',
      KAFKA_PARTITIONS: '3',
      STARTUP_TIMEOUT_MS: '600000',
      SMTP_URL: mail.url,
      // A claimed email whose sender died is sent again after this: short, so quiesce is short, but
      // longer than any pause (≤ 12 s) or database outage (≤ 5 s and its recovery) the schedule
      // makes, which would otherwise let another instance send an email again that its sender, frozen
      // or cut off, was about to mark SENT (apps/email/README.md): then a duplicate means a crash.
      EMAIL_CLAIM_MS: '30000',
      // Shipments move on by themselves, so every confirmed order ends DELIVERED.
      AUTO_DISPATCH_MS: '3000',
      CANCEL_WAIT_MS: '5000',
    });

    const launch = async (i: Instance): Promise<void> => {
      i.starts += 1;
      const p = await startServiceProcess({
        name: i.service,
        port: i.port,
        kafka: broker,
        env: env(i.service),
        logFile: path.join(logDir, `${i.name.replace('#', '-')}.log`),
        waitUntilReady: false,
      });
      i.process = p;
      i.running = true;
      i.paused = false;
      i.ready = false;
      void p.exited.then((code) => {
        i.running = false;
        i.ready = false;
        const expected = expectedExit.has(p);
        if (stopping) return;
        exits.push({ instance: i.name, atMs: clock(), code, signal: p.child.signalCode, expected });
        if (!expected) log(`UNEXPECTED EXIT ${i.name} (${code ?? p.child.signalCode}); restarting`);
        const t = setTimeout(() => {
          timers.delete(t);
          if (!stopping) launch(i).catch((error: unknown) => log(`restart of ${i.name} failed: ${String(error)}`));
        }, RESTART_AFTER_MS);
        timers.add(t);
      });
    };
    // Two at a time: the machine is small and every start compiles TypeScript.
    for (let n = 0; n < instances.length; n += 2) await Promise.all(instances.slice(n, n + 2).map(launch));

    const poll = async (i: Instance) => {
      if (!i.running || i.paused) return void (i.ready = false);
      try {
        i.ready = (await fetch(`${i.url}/readyz`, { signal: AbortSignal.timeout(1_500) })).status === 200;
      } catch {
        i.ready = false;
      }
    };
    let polling = false;
    poller = setInterval(() => {
      if (polling) return;
      polling = true;
      void Promise.all(instances.map(poll)).finally(() => (polling = false));
    }, 500);

    const shop: Shop = {
      postgres,
      broker,
      mail,
      instances,
      databaseUrl,
      logDir,
      exits,
      pick: (() => {
        const next = new Map<ServiceName, number>();
        return (service: ServiceName) => {
          const mine = instances.filter((i) => i.service === service);
          const start = next.get(service) ?? 0;
          next.set(service, start + 1);
          for (let k = 0; k < mine.length; k++) {
            const i = mine[(start + k) % mine.length]!;
            if (i.ready && i.running && !i.paused) return i;
          }
          return mine[start % mine.length]!; // none ready: the request fails like it would behind a balancer
        };
      })(),
      instance: (service, index) => instances.find((i) => i.service === service && i.index === index)!,
      async kill(i) {
        const p = i.process;
        if (!p || !i.running) return;
        expectedExit.add(p);
        i.ready = false;
        await p.stop('SIGKILL');
      },
      pause(i) {
        if (!i.process || !i.running) return;
        i.paused = true;
        i.ready = false;
        i.process.child.kill('SIGSTOP');
      },
      resume(i) {
        if (!i.process) return;
        i.process.child.kill('SIGCONT');
        i.paused = false;
      },
      async allReady(timeoutMs) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          await Promise.all(instances.map(poll));
          const waiting = instances.filter((i) => !i.ready);
          if (waiting.length === 0) return;
          if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${waiting.map((i) => i.name).join(', ')} (logs in ${logDir})`);
          await new Promise((r) => setTimeout(r, 500));
        }
      },
      teardown,
    };
    return shop;
  } catch (error) {
    await teardown();
    throw error;
  }
}
