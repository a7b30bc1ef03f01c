/**
 * Jest global set-up: gives every suite a real Kafka broker and a real Postgres server through
 * KAFKA_BROKERS and DATABASE_URL, chosen in this order:
 *   1. addresses given by the environment;
 *   2. containers (testcontainers) when a Docker engine answers;
 *   3. the local broker from infra/kafka (Apache Kafka's own jars, started if not running), with SASL
 *      and ACLs as it runs by default, and the local Postgres on 127.0.0.1:5432.
 * On a broker with SASL, KAFKA_CREDENTIALS names its principals' passwords file: the tests' own
 * clients log in as the operator, each service under test as itself (see test-kafka.ts).
 */
import { provideInfrastructure } from './infrastructure';

export default async function globalSetup(): Promise<void> {
  const provided = await provideInfrastructure();
  process.env['KAFKA_BROKERS'] = provided.kafkaBrokers;
  if (provided.kafkaCredentials) process.env['KAFKA_CREDENTIALS'] = provided.kafkaCredentials;
  else delete process.env['KAFKA_CREDENTIALS'];
  process.env['DATABASE_URL'] = provided.databaseUrl;
  (globalThis as Record<string, unknown>)['__WEBSHOP_INFRA__'] = provided;
  if (!process.env['WEBSHOP_TEST_QUIET']) {
    process.stderr.write(`\n[testing] Kafka ${provided.kafkaBrokers} (${provided.kafkaSource}); Postgres ${provided.databaseUrl} (${provided.databaseSource})\n`);
  }
}
