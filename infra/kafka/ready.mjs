// Readiness probe for the local broker: a real round trip with kafkajs (the client every service
// uses). Creates the probe topic, produces one record with acks=all and idempotence, and reads it
// back through a consumer group. Exits 0 when the whole trip works before the deadline.
// Usage: node ready.mjs <bootstrap[,bootstrap...]> [timeoutMs]
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap = '127.0.0.1:9092', timeoutArg = '30000'] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg);
const topic = '__webshop_ready';
process.removeAllListeners('warning'); // kafkajs warns about its default partitioner on every run

async function attempt() {
  const kafka = new Kafka({
    clientId: 'ready-probe',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    retry: { retries: 2, initialRetryTime: 200 },
    // A broker with SASL (KAFKA_SECURITY=sasl): the probe logs in as the operator.
    ...(process.env.KAFKA_USERNAME
      ? { sasl: { mechanism: 'scram-sha-512', username: process.env.KAFKA_USERNAME, password: process.env.KAFKA_PASSWORD ?? '' } }
      : {}),
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `ready-${randomUUID()}` });
  try {
    await admin.connect();
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    }
    const marker = randomUUID();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'probe', value: marker }] });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('probe record not consumed in time')), 20000);
      consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value?.toString() === marker) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

let lastError;
while (Date.now() < deadline) {
  try {
    await attempt();
    process.exit(0);
  } catch (error) {
    lastError = error;
    await new Promise((r) => setTimeout(r, 500));
  }
}
console.error(`[kafka] broker at ${bootstrap} did not pass the produce/consume probe: ${lastError?.message}`);
process.exit(1);
