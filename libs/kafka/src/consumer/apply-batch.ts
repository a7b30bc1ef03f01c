/**
 * One batch of one partition (kafkajs' eachBatch): runs of up to `runSize` records, each run in one
 * transaction (apply-run.ts) or, when that fails, one record at a time (retry-or-dead-letter.ts).
 * A record's offset is resolved only once it is done, and committed every `commitEvery` records
 * and at the end of the batch, also on the way out of a stop or a crash: a crash redelivers at
 * most what was not committed, and the inbox absorbs it.
 */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { messageOf } from '../errors';
import type { PlumbingLogger } from '../kafka-client';
import { runFailureReason, type RunResult } from './apply-run';
import { nextOffset, type CommitOffsets } from './offsets';
import type { HandleRecord } from './retry-or-dead-letter';
import { StopRequested, type StopSignal } from './stop-signal';
import type { ReportOutcome, Source, ReportProgress } from './types';

export interface ApplyBatchOptions {
  runSize: number;
  commitEvery: number;
  applyRun: (source: Source, messages: readonly KafkaMessage[]) => Promise<RunResult>;
  handleRecord: HandleRecord;
  stop: StopSignal;
  logger: PlumbingLogger;
  onOutcome?: ReportOutcome;
  onProgress?: ReportProgress;
}

export type ApplyBatch = (payload: EachBatchPayload, commitOffsets: CommitOffsets) => Promise<void>;

export function createBatchApplier(options: ApplyBatchOptions): ApplyBatch {
  const { runSize, commitEvery, applyRun, handleRecord, stop, logger, onOutcome, onProgress } = options;

  /** The run in one transaction; when that fails, says why and applies its records one by one. */
  async function applyRunOrOneByOne(source: Source, run: KafkaMessage[], heartbeat: () => Promise<void>): Promise<void> {
    if (run.length > 1) {
      const result = await applyRun(source, run);
      if (result.ok) {
        const share = result.ms / result.outcomes.length;
        for (const { outcome, type, offset, occurredAt, event } of result.outcomes) onOutcome?.(outcome, { ...source, offset, type, ms: share, occurredAt, event });
        return;
      }
      const reason = runFailureReason(result.error);
      // Contention between partitions is routine under load; anything else means a record failed.
      logger[reason === 'lock_timeout' ? 'info' : 'warn']('a run of records failed; applying them one by one', {
        ...source,
        firstOffset: run[0]!.offset,
        lastOffset: run[run.length - 1]!.offset,
        records: run.length,
        reason,
        err: messageOf(result.error),
      });
    }
    for (const message of run) await handleRecord(source, message, heartbeat);
  }

  return async function applyBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }, commitOffsets) {
    const source = { topic: batch.topic, partition: batch.partition };
    let done: string | undefined;
    let sinceCommit = 0;
    const commit = async () => {
      if (done === undefined) return;
      await commitOffsets([{ ...source, offset: nextOffset(done) }]);
      sinceCommit = 0;
    };
    try {
      for (let i = 0; i < batch.messages.length && !stop.requested && isRunning() && !isStale(); i += runSize) {
        const run = batch.messages.slice(i, i + runSize);
        await applyRunOrOneByOne(source, run, heartbeat);
        const last = run[run.length - 1]!.offset;
        resolveOffset(last);
        done = last;
        if ((sinceCommit += run.length) >= commitEvery) await commit();
        await heartbeat();
      }
      // All of it applied: the position moves past the batch's last offset, which may be a
      // transaction's commit marker (the relays publish in transactions) that no consumer is handed.
      // Otherwise the committed offset would stop one short of the end, and lag never read 0.
      if (done !== undefined && done === batch.messages.at(-1)?.offset && !stop.requested) {
        done = batch.lastOffset();
        resolveOffset(done);
        onProgress?.({ ...source, offset: done });
      }
    } catch (error) {
      if (!(error instanceof StopRequested)) throw error;
    } finally {
      // Commit what was applied, also when stopping mid-batch or on the way to a crash.
      await commit().catch((error: unknown) => logger.warn('offset commit failed', { err: messageOf(error) }));
    }
  };
}
