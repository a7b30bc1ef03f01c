/**
 * Runs the fault schedule against the private shop: each fault at its time, each lasting fault
 * undone at its end (SIGCONT, the broker node or the database started again). What happened, and
 * when, goes into `record` for the report's time line.
 */
import { describeFault, type Fault } from './schedule';
import type { Shop } from './supervisor';

export interface FaultRecord {
  fault: Fault;
  description: string;
  startedMs: number;
  endedMs?: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function runFaults(shop: Shop, schedule: readonly Fault[], clock: () => number, log: (line: string) => void): { records: FaultRecord[]; done: Promise<void>; cancel(): void } {
  const records: FaultRecord[] = [];
  let cancelled = false;
  const done = (async () => {
    for (const fault of schedule) {
      const wait = fault.atMs - clock();
      if (wait > 0) await sleep(wait);
      if (cancelled) return;
      const record: FaultRecord = { fault, description: describeFault(fault), startedMs: clock() };
      records.push(record);
      log(`fault ${record.description}`);
      try {
        await apply(shop, fault);
      } catch (error) {
        record.error = String(error);
        log(`fault ${record.description} failed: ${record.error}`);
      }
      record.endedMs = clock();
    }
  })();
  return {
    records,
    done,
    cancel: () => {
      cancelled = true;
    },
  };
}

async function apply(shop: Shop, fault: Fault): Promise<void> {
  switch (fault.kind) {
    case 'sigkill':
      // The supervisor starts it again after a moment, as an orchestrator would.
      await shop.kill(shop.instance(fault.service, fault.instance));
      return;
    case 'sigstop': {
      const instance = shop.instance(fault.service, fault.instance);
      shop.pause(instance);
      await sleep(fault.forMs);
      shop.resume(instance);
      return;
    }
    case 'broker-kill':
      await shop.broker.kill(fault.node);
      await sleep(fault.forMs);
      await shop.broker.start();
      return;
    case 'postgres-crash':
      await shop.postgres.stop('immediate');
      await sleep(fault.forMs);
      await shop.postgres.start();
      return;
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}
