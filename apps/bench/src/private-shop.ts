/**
 * The whole shop on infrastructure of its own, for the shop section's CPU accounting: a private
 * Postgres cluster and Kafka broker (so their processes do this shop's work alone), a mail catcher
 * and the five services as processes, each on its own database and role, as the chaos tool's
 * supervisor (apps/chaos/src/supervisor.ts) starts them, without its faults and restarts.
 * Everything it starts is registered with `cleanups`.
 */
import path from 'node:path';
import { serviceNames, type ServiceName } from '@webshop/events';
import { ensureServiceDatabase } from '@webshop/postgres';
import { createDedicatedBroker, createDedicatedPostgres, freePort, startMailCatcher, startServiceProcess, type DedicatedBroker, type DedicatedPostgres, type ServiceProcess } from '@webshop/testing';
import type { Cleanups } from './cleanups';

export interface PrivateShop {
  postgres: DedicatedPostgres;
  broker: DedicatedBroker;
  services: Record<ServiceName, ServiceProcess>;
}

export async function startPrivateShop({ logDir, cleanups }: { logDir: string; cleanups: Cleanups }): Promise<PrivateShop> {
  // Plain, as the hop and post sections' broker is (the bare baselines have no login): the sections
  // measure one broker mode. SASL costs a handshake per connection, not per record.
  const [postgres, broker] = await Promise.all([createDedicatedPostgres(), createDedicatedBroker({ security: 'plain' })]);
  cleanups.add('private postgres', () => postgres.destroy());
  cleanups.add('private broker', () => broker.destroy());
  await Promise.all([postgres.start(), broker.start()]);
  const mail = await startMailCatcher();
  cleanups.add('mail catcher', () => mail.stop());
  const services = {} as Record<ServiceName, ServiceProcess>;
  // Two at a time: the machine is small and every start compiles TypeScript.
  for (let n = 0; n < serviceNames.length; n += 2) {
    await Promise.all(
      serviceNames.slice(n, n + 2).map(async (name) => {
        const database = await ensureServiceDatabase(postgres.url, name);
        const service = await startServiceProcess({
          name,
          port: await freePort(),
          env: {
            KAFKA_BROKERS: broker.brokers.join(','),
            DATABASE_URL: database.url,
            TOPIC_PREFIX: 'bench.',
            LOG_LEVEL: 'warn',
            KAFKA_PARTITIONS: '3',
            SMTP_URL: mail.url,
            AUTO_DISPATCH_MS: '3000',
          },
          logFile: path.join(logDir, `${name}.log`),
          readyTimeoutMs: 300_000,
        });
        cleanups.add(name, () => service.stop('SIGTERM'));
        services[name] = service;
      }),
    );
  }
  return { postgres, broker, services };
}
