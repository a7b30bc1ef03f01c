/**
 * An outbox relay in a process of its own, so a test can freeze it for real (SIGSTOP) while another
 * instance runs beside it. Publishes the outbox of DATABASE_URL as stock would. Prints "leader"
 * each time it becomes the leader and "follower" each time it stops being one.
 */
import { createPool } from '@webshop/postgres';
import { createKafka, createOutboxRelay, toolKafkaOptions } from '../index';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const pool = createPool(env('DATABASE_URL'));
const kafka = createKafka({ clientId: 'relay-process', ...toolKafkaOptions({ KAFKA_BROKERS: env('KAFKA_BROKERS'), KAFKA_CREDENTIALS: process.env['KAFKA_CREDENTIALS'] }, 'admin') });
const relay = createOutboxRelay({ pool, kafka, service: 'stock', topicPrefix: env('TOPIC_PREFIX'), batchSize: 50, leaseMs: Number(env('LEASE_MS')) });
relay.start();
let leading = false;
setInterval(() => {
  if (relay.isLeader() !== leading) {
    leading = relay.isLeader();
    process.stdout.write(leading ? 'leader\n' : 'follower\n');
  }
}, 20);
process.on('SIGTERM', () => {
  relay.stop().then(() => pool.end()).then(() => process.exit(0));
});
