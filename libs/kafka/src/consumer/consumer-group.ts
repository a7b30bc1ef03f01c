/**
 * The runner's membership of its consumer group: one kafkajs consumer at a time, joined, subscribed
 * and running with manual commits. kafkajs restarts a consumer itself after a retriable crash; after
 * one it does not deem retriable the consumer is done, and a new one joins in its place (with
 * back-off, until it joins or the runner stops). A fetch that held only transaction markers never
 * reaches eachBatch: its position is committed here.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { backoffMs } from '@webshop/background';
import { messageOf } from '../errors';
import type { PlumbingLogger } from '../kafka-client';
import { nextOffset, type CommitOffsets } from './offsets';
import type { StopSignal } from './stop-signal';
import { kafkajsOf, type KafkaClient } from '../kafka-client';
import type { ReportProgress } from './types';

export interface ConsumerGroupOptions {
  kafka: KafkaClient;
  groupId: string;
  topics: readonly string[];
  fromBeginning: boolean;
  partitionsConcurrently: number;
  eachBatch: (payload: EachBatchPayload, commitOffsets: CommitOffsets) => Promise<void>;
  stop: StopSignal;
  logger: PlumbingLogger;
  onProgress?: ReportProgress;
}

export interface ConsumerGroup {
  /** A consumer in the group, subscribed and running; on failure nothing of it is left connected. */
  join(): Promise<void>;
  /** After `stop.request()`: waits for a rejoin in progress, then disconnects (after the batch in hand). */
  leave(): Promise<void>;
  /** Joined and consuming. */
  isRunning(): boolean;
}

export function createConsumerGroup(options: ConsumerGroupOptions): ConsumerGroup {
  const { kafka, groupId, topics, fromBeginning, partitionsConcurrently, eachBatch, stop, logger, onProgress } = options;
  let consumer: Consumer | undefined;
  let running = false;
  let restarting: Promise<void> | undefined; // a new consumer joining after kafkajs gave up on the last

  async function newConsumer(): Promise<Consumer> {
    // A member that dies without leaving is noticed after the session timeout; 10 s (kafkajs: 30 s)
    // hands its partitions to the others sooner. Heartbeats go every 3 s and between runs. A stop
    // waits for the fetch in flight, which an idle broker holds for up to maxWaitTimeInMs (kafkajs:
    // 5 s, more than the stop's 3 s for the consumer, so the member would not leave its group and
    // would linger there until its session ran out): 1 s keeps the stop inside its budget.
    const c = kafkajsOf(kafka).consumer({ groupId, allowAutoTopicCreation: false, sessionTimeout: 10_000, heartbeatInterval: 3_000, maxWaitTimeInMs: 1_000 });
    c.on(c.events.GROUP_JOIN, () => {
      running = true;
    });
    c.on(c.events.CRASH, ({ payload }) => {
      running = false;
      if (payload.restart) {
        logger.warn('the consumer lost the broker; kafkajs restarts it', { err: messageOf(payload.error), groupId });
      } else {
        // kafkajs gives up on errors it does not deem retriable: this consumer is done. Start a new one.
        logger.error('the consumer stopped on an error; starting a new one', { err: messageOf(payload.error), groupId });
        if (c === consumer && !stop.requested) restarting = rejoin(c);
      }
    });
    c.on(c.events.STOP, () => {
      running = false;
    });
    // kafkajs moves past a fetch of only transaction markers (or aborted records) in memory; commit
    // that, so the group's position reaches the end.
    c.on(c.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || stop.requested) return;
      const { topic, partition, lastOffset } = payload;
      c.commitOffsets([{ topic, partition, offset: nextOffset(lastOffset) }]).then(
        () => onProgress?.({ topic, partition, offset: lastOffset }),
        (error: unknown) => logger.debug('offset commit past transaction markers failed', { err: messageOf(error) }),
      );
    });
    try {
      await c.connect();
      await c.subscribe({ topics: [...topics], fromBeginning });
      await c.run({
        partitionsConsumedConcurrently: partitionsConcurrently,
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => eachBatch(payload, (offsets) => c.commitOffsets(offsets)),
      });
    } catch (error) {
      await c.disconnect().catch(() => undefined);
      throw error;
    }
    return c;
  }

  /** Replaces a consumer that kafkajs gave up on, trying with back-off until it joins or the runner stops. */
  async function rejoin(old: Consumer): Promise<void> {
    await old.disconnect().catch(() => undefined);
    for (let attempt = 1; !stop.requested; attempt++) {
      try {
        consumer = await newConsumer();
        return;
      } catch (error) {
        const delayMs = backoffMs(attempt, 500, 10_000);
        logger.warn('the consumer could not rejoin its group; retrying', { err: messageOf(error), groupId, attempt, delayMs });
        await stop.pause(delayMs);
      }
    }
  }

  return {
    async join() {
      consumer = await newConsumer();
    },
    async leave() {
      await restarting;
      // kafkajs waits for the batch in hand (which stops after the record in hand) before it leaves.
      await consumer?.disconnect();
      consumer = undefined;
      running = false;
    },
    isRunning: () => running,
  };
}
