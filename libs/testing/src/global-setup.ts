/**
 * Jest global set-up: gives every suite a real Kafka broker and a real Postgres server through
 * KAFKA_BROKERS and DATABASE_URL, chosen in this order:
 *   1. addresses given by the environment;
 *   2. containers (testcontainers) when a Docker engine answers;
 *   3. the local broker from infra/kafka (Apache Kafka's own jars, started if not running) and the
 *      local Postgres on 127.0.0.1:5432.
 */
import { provideInfrastructure } from './infrastructure';

export default async function globalSetup(): Promise<void> {
  const provided = await provideInfrastructure();
  process.env['KAFKA_BROKERS'] = provided.kafkaBrokers;
  process.env['DATABASE_URL'] = provided.databaseUrl;
  (globalThis as Record<string, unknown>)['__WEBSHOP_INFRA__'] = provided;
  if (!process.env['WEBSHOP_TEST_QUIET']) {
    process.stderr.write(`\n[testing] Kafka ${provided.kafkaBrokers} (${provided.kafkaSource}); Postgres ${provided.databaseUrl} (${provided.databaseSource})\n`);
  }
}
