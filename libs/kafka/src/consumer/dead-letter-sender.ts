/**
 * The producer of a runner's dead letters (`<topic>.dlq.<service>`, the format in dead-letter.ts):
 * idempotent, acks=all, connected at start and closed at stop. A send that failed drops its
 * producer: the next one starts a fresh producer (a new producer id), as kafka-client.ts's
 * createIdempotentProducer asks, so that no record goes out on the failed send's sequence numbers.
 */
import type { KafkaMessage, Producer } from 'kafkajs';
import { dlqTopicName, type ServiceName } from '@webshop/events';
import { deadLetterMessage } from '../dead-letter';
import { messageOf, reasonOf } from '../errors';
import { eventLogFields } from '../log-fields';
import { createIdempotentProducer, type PlumbingLogger, type KafkaClient } from '../kafka-client';
import type { Source } from './types';

export interface DeadLetterSender {
  connect(): Promise<void>;
  /** Throws when the broker did not take it; the caller retries. */
  send(source: Source, message: KafkaMessage, error: unknown): Promise<void>;
  disconnect(): Promise<void>;
}

export function createDeadLetterSender(options: { kafka: KafkaClient; service: ServiceName; groupId: string; logger: PlumbingLogger }): DeadLetterSender {
  const { kafka, service, groupId, logger } = options;
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  const connected = async (): Promise<Producer> => {
    if (producer) return producer;
    connecting ??= (async () => {
      const fresh = createIdempotentProducer(kafka);
      try {
        await fresh.connect();
      } catch (error) {
        await fresh.disconnect().catch(() => undefined);
        throw error;
      }
      producer = fresh;
      return fresh;
    })().finally(() => (connecting = undefined));
    return connecting;
  };

  return {
    async connect() {
      await connected();
    },
    async send({ topic, partition }, message, error) {
      const reason = reasonOf(error);
      logger.warn('record sent to the dead-letter topic', {
        topic,
        partition,
        offset: message.offset,
        ...eventLogFields(message.headers),
        reason,
        err: messageOf(error),
      });
      const sender = await connected();
      try {
        await sender.send({
          topic: dlqTopicName(topic, service),
          acks: -1,
          messages: [deadLetterMessage({ topic, partition, message }, groupId, reason, messageOf(error))],
        });
      } catch (sendError) {
        if (producer === sender) producer = undefined;
        await sender.disconnect().catch(() => undefined);
        throw sendError;
      }
    },
    async disconnect() {
      const old = producer;
      producer = undefined;
      await old?.disconnect();
    },
  };
}
