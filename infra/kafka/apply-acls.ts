/**
 * npm run kafka:acls: the shop's ACLs (libs/kafka/src/acls.ts, derived from the topic registry) on a
 * broker with SASL, as the operator; docker-compose.yml's one-shot `kafka-acls` runs it before any
 * service starts. Idempotent. KAFKA_BROKERS (default the local broker), TOPIC_PREFIX (default none),
 * the operator's login: KAFKA_USERNAME/KAFKA_PASSWORD, or KAFKA_CREDENTIALS (toolKafkaOptions).
 */
import { applyShopAcls, createQuietKafka, toolKafkaOptions } from '@webshop/kafka';

async function main(): Promise<void> {
  const { brokers, credentials } = toolKafkaOptions(process.env, 'admin');
  if (!credentials) throw new Error('no operator login: set KAFKA_USERNAME and KAFKA_PASSWORD, or KAFKA_CREDENTIALS (a plain broker has no ACLs to apply)');
  const prefix = process.env['TOPIC_PREFIX'] ?? '';
  const count = await applyShopAcls(createQuietKafka({ clientId: 'shop-acls', brokers, credentials }), prefix);
  process.stdout.write(`applied ${count} ACLs from the topic registry on ${brokers.join(',')}${prefix ? ` for topic prefix ${prefix}` : ''}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`kafka:acls: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
