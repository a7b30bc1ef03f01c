/**
 * A consumer in a process of its own, so a test can kill it for real (SIGKILL, mid-batch) and start
 * another. Applies ProductUpdated events from `${TOPIC_PREFIX}products` into the `applied` table.
 * Prints "ready" once it has joined its group.
 */
import { topics } from '@webshop/events';
import { createPool } from '@webshop/postgres';
import { createConsumerRunner, createKafka, toolKafkaOptions } from '../index';
import { recordEffect } from './fixtures-effects';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

async function main() {
  const pool = createPool(env('DATABASE_URL'));
  const kafka = createKafka({ clientId: 'consumer-process', ...toolKafkaOptions({ KAFKA_BROKERS: env('KAFKA_BROKERS'), KAFKA_CREDENTIALS: process.env['KAFKA_CREDENTIALS'] }, 'admin') });
  const runner = createConsumerRunner({
    kafka,
    pool,
    service: 'orders',
    groupId: env('GROUP_ID'),
    topics: [topics.products],
    topicPrefix: env('TOPIC_PREFIX'),
    // Small commits so that a kill lands between commits, with applied-but-uncommitted records.
    commitEvery: 50,
    handlers: { ProductUpdated: (event, tx) => recordEffect(tx, event.eventId, event.data) },
  });
  await runner.start();
  const timer = setInterval(() => {
    if (runner.isRunning()) {
      clearInterval(timer);
      process.stdout.write('ready\n');
    }
  }, 20);
  process.on('SIGTERM', () => {
    runner.stop().then(() => pool.end()).then(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
