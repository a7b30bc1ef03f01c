import { createQuietKafka, ensureTopics, type KafkaClient } from '@webshop/kafka';
import { uniqueName } from './unique-name';

export function testBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through jest with the workspace preset');
  return brokers.split(',').map((b) => b.trim());
}

export function testKafka(clientId = 'test'): KafkaClient {
  return createQuietKafka({ clientId, brokers: testBrokers() });
}

/** Creates a topic with a unique name and waits until it has leaders. */
export async function createTestTopic(kafka: KafkaClient, prefix: string, numPartitions = 3): Promise<string> {
  const topic = uniqueName(prefix).replace(/_/g, '-');
  await ensureTopics(kafka, [topic], numPartitions);
  return topic;
}
