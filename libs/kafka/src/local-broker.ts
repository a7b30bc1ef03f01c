import { existsSync } from 'node:fs';
import path from 'node:path';
import { credentialsFromFile, type KafkaCredentials } from './kafka-client';

/**
 * infra/kafka's local broker as `npm run kafka:start` runs it by default: SASL and ACLs on
 * 127.0.0.1:9192, the principals' passwords in its state folder.
 */
export const localBroker = {
  brokers: '127.0.0.1:9192',
  credentialsFile: path.resolve(__dirname, '../../../infra/kafka/.state-sasl/credentials.env'),
};

/**
 * The broker and login of a tool run as `principal` (npm start, npm run dlq, npm run rebuild):
 * KAFKA_BROKERS, else the local broker; KAFKA_USERNAME and KAFKA_PASSWORD, else `principal`'s line
 * of the passwords file KAFKA_CREDENTIALS (the local broker's when neither variable is set); no
 * login when there is no such file (a plain broker: KAFKA_SECURITY=plain).
 */
export function toolKafkaOptions(env: NodeJS.ProcessEnv, principal: string): { brokers: string[]; credentials?: KafkaCredentials } {
  const brokers = (env['KAFKA_BROKERS'] || localBroker.brokers).split(',').map((b) => b.trim()).filter(Boolean);
  const { KAFKA_USERNAME: username, KAFKA_PASSWORD: password } = env;
  if (username || password) {
    if (!username || !password) throw new Error('KAFKA_USERNAME and KAFKA_PASSWORD go together');
    return { brokers, credentials: { username, password } };
  }
  const file = env['KAFKA_CREDENTIALS'] || (env['KAFKA_BROKERS'] ? undefined : localBroker.credentialsFile);
  if (file && env['KAFKA_CREDENTIALS'] && !existsSync(file)) throw new Error(`KAFKA_CREDENTIALS=${file}: no such file`);
  return file && existsSync(file) ? { brokers, credentials: credentialsFromFile(file, principal) } : { brokers };
}
