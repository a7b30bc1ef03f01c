import { uniqueName } from '@webshop/testing-core';
import { applyShopAcls, createQuietKafka, credentialsFromFile, ensureTopics, revokeShopAcls, type KafkaClient, type KafkaCredentials } from '../index';

/**
 * How the tests reach a broker: its addresses and, on a broker with SASL (the default of
 * infra/kafka), the principals' passwords file. Tools and test set-up log in as the operator
 * (admin); a service under test logs in as itself and gets only the ACLs of its test shop's prefix.
 */
export interface KafkaAccess {
  brokers: string[];
  /** The principals' passwords (KAFKA_PASSWORD_<principal>=… lines); none on a plain broker. */
  credentialsFile?: string;
  /** A principal's login; none on a plain broker. */
  credentials(principal: string): KafkaCredentials | undefined;
  /** What a process of `principal` needs in its environment: KAFKA_BROKERS, and its login on a SASL broker. */
  env(principal: string): Record<string, string>;
  /** An operator's client (a super user on a SASL broker). */
  admin(clientId?: string): KafkaClient;
  /** The shop's ACLs for topics and groups named with `prefix`; answers their removal. Nothing to do on a plain broker. */
  grantShop(prefix: string): Promise<() => Promise<void>>;
}

export function kafkaAccess(brokers: string[], credentialsFile?: string): KafkaAccess {
  const credentials = (principal: string) => (credentialsFile ? credentialsFromFile(credentialsFile, principal) : undefined);
  const admin = (clientId = 'test') => createQuietKafka({ clientId, brokers, credentials: credentials('admin') });
  return {
    brokers,
    credentialsFile,
    credentials,
    env(principal) {
      const login = credentials(principal);
      return { KAFKA_BROKERS: brokers.join(','), ...(login ? { KAFKA_USERNAME: login.username, KAFKA_PASSWORD: login.password } : {}) };
    },
    admin,
    async grantShop(prefix) {
      if (!credentialsFile) return async () => undefined;
      const operator = admin('test-acls');
      await applyShopAcls(operator, prefix);
      return async () => void (await revokeShopAcls(operator, prefix));
    },
  };
}

/** The broker of this test run, as the jest global set-up found or started it (KAFKA_BROKERS, KAFKA_CREDENTIALS). */
export function testKafkaAccess(): KafkaAccess {
  return kafkaAccess(testBrokers(), process.env['KAFKA_CREDENTIALS'] || undefined);
}

export function testBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through jest with the workspace preset');
  return brokers.split(',').map((b) => b.trim());
}

/** An operator's client of this run's broker. */
export function testKafka(clientId = 'test'): KafkaClient {
  return testKafkaAccess().admin(clientId);
}

/** Creates a topic with a unique name and waits until it has leaders. */
export async function createTestTopic(kafka: KafkaClient, prefix: string, numPartitions = 3): Promise<string> {
  const topic = uniqueName(prefix).replace(/_/g, '-');
  await ensureTopics(kafka, [topic], numPartitions);
  return topic;
}
