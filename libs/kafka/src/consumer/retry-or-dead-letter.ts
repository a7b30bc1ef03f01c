/**
 * One record, applied on its own until it is done: what a failure means decides what comes next
 * (errors.ts). Retriable (a database or broker hiccup): back off and try the same record again,
 * never skipping it. Non-retriable (undecodable, invalid, a business rule the handler refuses):
 * send it to the dead-letter topic and move on. Unknown: `maxUnknownAttempts` tries, then it
 * counts as non-retriable. A dead letter the broker does not take is retried too.
 */
import type { KafkaMessage } from 'kafkajs';
import { backoffMs } from '@webshop/background';
import { classify, messageOf, reasonOf } from '../errors';
import { eventLogFields } from '../log-fields';
import type { PlumbingLogger } from '../kafka-client';
import type { Applied } from './apply-record';
import type { DeadLetterSender } from './dead-letter-sender';
import { StopRequested, type StopSignal } from './stop-signal';
import type { ReportOutcome, Source } from './types';

export interface RetryOrDeadLetterOptions {
  apply: (source: Source, message: KafkaMessage) => Promise<Applied>;
  deadLetters: DeadLetterSender;
  stop: StopSignal;
  maxUnknownAttempts: number;
  logger: PlumbingLogger;
  onOutcome?: ReportOutcome;
}

/** Resolves once the record is applied, a duplicate, ignored or dead-lettered; throws `StopRequested` on stop. */
export type HandleRecord = (source: Source, message: KafkaMessage, heartbeat: () => Promise<void>) => Promise<void>;

export function createRetryOrDeadLetter(options: RetryOrDeadLetterOptions): HandleRecord {
  const { apply, deadLetters, stop, maxUnknownAttempts, logger, onOutcome } = options;

  return async function handleRecord(source, message, heartbeat) {
    const { topic, partition } = source;
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      if (stop.requested) throw new StopRequested();
      try {
        const { outcome, type, occurredAt, event } = await apply(source, message);
        onOutcome?.(outcome, { topic, partition, offset: message.offset, type, ms: performance.now() - started, occurredAt, event });
        return;
      } catch (error) {
        const kind = classify(error);
        if (kind === 'retriable' || (kind === 'unknown' && attempt < maxUnknownAttempts)) {
          const delay = backoffMs(attempt);
          logger.warn('applying a record failed; retrying', {
            topic,
            partition,
            offset: message.offset,
            ...eventLogFields(message.headers),
            attempt,
            delayMs: delay,
            err: messageOf(error),
          });
          await stop.pause(delay);
          await heartbeat();
          continue;
        }
        await sendDeadLetter(source, message, error, heartbeat);
        const event = eventLogFields(message.headers);
        onOutcome?.('dead-lettered', { topic, partition, offset: message.offset, type: event.eventType, reason: reasonOf(error), ms: performance.now() - started, occurredAt: null, event });
        return;
      }
    }
  };

  /** Sending the dead letter may itself hit a broker hiccup: retry that, never skip the record. */
  async function sendDeadLetter(source: Source, message: KafkaMessage, error: unknown, heartbeat: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (stop.requested) throw new StopRequested();
      try {
        await deadLetters.send(source, message, error);
        return;
      } catch (dlqError) {
        logger.warn('sending a dead letter failed; retrying', { topic: source.topic, attempt, err: messageOf(dlqError) });
        await stop.pause(backoffMs(attempt));
        await heartbeat();
      }
    }
  }
}
