/**
 * The fault schedule: which fault hits what, and when, drawn from a seeded PRNG so a failing run
 * can be replayed with the same `--seed`. Pure: it is printed before the run starts.
 *
 * The middle 80 % of the workload (from 10 % to 90 %) is cut into one slot per fault; each fault
 * starts at a random moment of the first half of its slot and, for faults that last (a paused
 * process, a broker node or the database down), is over before 60 % of its slot has gone (a pause
 * may take the rest of its slot), so two faults never overlap.
 */
import { seededRandom } from '@webshop/testing';

export const faultKinds = ['sigkill', 'sigstop', 'broker-kill', 'postgres-crash'] as const;
export type FaultKind = (typeof faultKinds)[number];
export const serviceNames = ['orders', 'payment', 'stock', 'shipping', 'email'] as const;
export type ServiceName = (typeof serviceNames)[number];

export type Fault =
  | { kind: 'sigkill'; atMs: number; service: ServiceName; instance: number }
  | { kind: 'sigstop'; atMs: number; service: ServiceName; instance: number; forMs: number }
  | { kind: 'broker-kill'; atMs: number; node: number; forMs: number }
  | { kind: 'postgres-crash'; atMs: number; forMs: number };

export interface ScheduleInput {
  seed: number;
  faults: number;
  durationMs: number;
  replicas: number;
  nodes: number;
}

/** SIGKILLs of instances are the commonest fault (and the one that finds most), the rest share. */
const weights: Record<FaultKind, number> = { sigkill: 4, sigstop: 2, 'broker-kill': 2, 'postgres-crash': 2 };

export function faultSchedule({ seed, faults, durationMs, replicas, nodes }: ScheduleInput): Fault[] {
  // A stream of its own (seed-derived), so adding workload randomness never moves the faults.
  const random = seededRandom((seed ^ 0x5eed_fa17) >>> 0);
  const slot = (durationMs * 0.8) / Math.max(1, faults);
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const pickKind = (): FaultKind => {
    let r = random() * total;
    for (const kind of faultKinds) if ((r -= weights[kind]) < 0) return kind;
    return 'sigkill';
  };
  const schedule: Fault[] = [];
  for (let i = 0; i < faults; i++) {
    const start = durationMs * 0.1 + i * slot;
    const atMs = Math.round(start + random() * slot * 0.4);
    // Lasts between 20 % and 60 % of a slot less its start, and never more than 15 s.
    const room = start + slot * 0.6 - atMs;
    const forMs = Math.round(Math.min(15_000, Math.max(1_000, room * (0.4 + random() * 0.6))));
    const kind = pickKind();
    const service = random.pick(serviceNames);
    const instance = random.int(replicas);
    switch (kind) {
      case 'sigkill':
        schedule.push({ kind, atMs, service, instance });
        break;
      case 'sigstop': {
        // Long enough to outlast the relay lease (3 s) when the slots allow: what a paused leader
        // holds up is what this fault is for. It may take its whole slot, never the next one's.
        const pause = Math.round(Math.min(12_000, Math.max(1_000, (start + slot - 500 - atMs) * (0.6 + random() * 0.4))));
        schedule.push({ kind, atMs, service, instance, forMs: pause });
        break;
      }
      case 'broker-kill':
        schedule.push({ kind, atMs, node: 1 + random.int(nodes), forMs });
        break;
      case 'postgres-crash':
        schedule.push({ kind, atMs, forMs });
        break;
      default: {
        const never: never = kind;
        throw new Error(`unknown fault ${String(never)}`);
      }
    }
  }
  return schedule;
}

export function describeFault(fault: Fault): string {
  const at = `+${(fault.atMs / 1000).toFixed(1)}s`;
  switch (fault.kind) {
    case 'sigkill':
      return `${at} SIGKILL ${fault.service}#${fault.instance}`;
    case 'sigstop':
      return `${at} SIGSTOP ${fault.service}#${fault.instance} for ${(fault.forMs / 1000).toFixed(1)}s, then SIGCONT`;
    case 'broker-kill':
      return `${at} kill -9 broker node ${fault.node}, restart after ${(fault.forMs / 1000).toFixed(1)}s`;
    case 'postgres-crash':
      return `${at} pg_ctl stop -m immediate, start after ${(fault.forMs / 1000).toFixed(1)}s`;
    default: {
      const never: never = fault;
      return String(never);
    }
  }
}
