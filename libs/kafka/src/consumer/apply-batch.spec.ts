/** The batch applier's own arithmetic, without I/O: a run's time shared among its records. */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { silentLogger } from '../kafka-client';
import { createBatchApplier } from './apply-batch';
import type { RunResult } from './apply-run';
import { createStopSignal } from './stop-signal';
import type { OutcomeInfo } from './types';

const message = (offset: number): KafkaMessage => ({ offset: String(offset), key: null, value: Buffer.from('x'), timestamp: '0', attributes: 0, headers: {} });
const event = { correlationId: null, traceId: null, eventId: null, eventType: 'ProductUpdated' };

describe('a batch applied in runs', () => {
  it("reports each record of a run with its share of the run's time and its occurred-at", async () => {
    const reported: OutcomeInfo[] = [];
    const occurredAt = '2026-12-03T10:00:00.000Z';
    const applyRun = async (_source: unknown, run: readonly KafkaMessage[]): Promise<RunResult> => ({
      ok: true,
      ms: 7.5 * run.length,
      outcomes: run.map((m) => ({ outcome: 'applied' as const, type: 'ProductUpdated', offset: m.offset, occurredAt, event })),
    });
    const apply = createBatchApplier({
      runSize: 4,
      commitEvery: 100,
      applyRun,
      handleRecord: async () => {
        throw new Error('no record is applied alone here');
      },
      stop: createStopSignal(),
      logger: silentLogger,
      onOutcome: (_outcome, info) => reported.push(info),
    });
    const messages = [0, 1, 2, 3, 4, 5].map(message);
    const payload = {
      batch: { topic: 't', partition: 0, messages, lastOffset: () => '5' },
      resolveOffset: () => undefined,
      heartbeat: async () => undefined,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    await apply(payload, async () => undefined);

    // Runs of 4 and 2 records, 30 ms and 15 ms: 7.5 ms each, not the run's whole time.
    expect(reported.map((r) => [r.offset, r.ms, r.occurredAt])).toEqual(messages.map((m) => [m.offset, 7.5, occurredAt]));
  });
});
