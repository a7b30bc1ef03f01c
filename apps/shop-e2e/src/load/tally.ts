/**
 * The bookkeeping of a run. Every scheduled order ends in exactly one of: confirmed, rejected,
 * cancelled, error (an HTTP failure, or not sent because too much was in flight), or not final
 * (still pending when the settle timeout ran out). Latency is measured from the order's scheduled
 * send time; the latency percentiles are over confirmed orders only.
 */
import { createHistogram } from '@webshop/testing';

export type FinalStatus = 'CONFIRMED' | 'REJECTED' | 'CANCELLED';

/** One order that reached a final status: when it was scheduled (ms after the start), and how long it took. */
export interface Sample {
  scheduledMs: number;
  latencyMs: number;
  status: FinalStatus;
}

export interface Counts {
  scheduled: number;
  sent: number;
  confirmed: number;
  rejected: number;
  cancelled: number;
  errors: number;
  notFinal: number;
  inFlight: number;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
}

/** One second of the schedule: orders scheduled in it, and the latency of those that were confirmed. */
export interface SecondStats {
  second: number;
  sent: number;
  confirmed: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export type Tally = ReturnType<typeof createTally>;

export function createTally() {
  const counts: Counts = { scheduled: 0, sent: 0, confirmed: 0, rejected: 0, cancelled: 0, errors: 0, notFinal: 0, inFlight: 0 };
  const errorsByKind = new Map<string, number>();
  const sentPerSecond: number[] = [];
  const samples: Sample[] = [];
  const confirmedLatency = createHistogram();
  const recent = createHistogram();
  let lastFinalMs = 0;

  const error = (kind: string) => {
    counts.errors += 1;
    errorsByKind.set(kind, (errorsByKind.get(kind) ?? 0) + 1);
  };

  return {
    counts: counts as Readonly<Counts>,
    samples: samples as readonly Sample[],

    /** The order is on its way. */
    sent(scheduledMs: number): void {
      counts.scheduled += 1;
      counts.sent += 1;
      counts.inFlight += 1;
      const second = Math.floor(scheduledMs / 1000);
      sentPerSecond[second] = (sentPerSecond[second] ?? 0) + 1;
    },
    /** The order was due but not sent (the in-flight guard): an error. */
    notSent(kind: string): void {
      counts.scheduled += 1;
      error(kind);
    },
    /** A sent order reached a final status, observed `latencyMs` after its scheduled time. */
    final(scheduledMs: number, latencyMs: number, status: FinalStatus, observedMs: number): void {
      counts.inFlight -= 1;
      samples.push({ scheduledMs, latencyMs, status });
      lastFinalMs = Math.max(lastFinalMs, observedMs);
      switch (status) {
        case 'CONFIRMED':
          counts.confirmed += 1;
          confirmedLatency.record(latencyMs);
          recent.record(latencyMs);
          return;
        case 'REJECTED':
          counts.rejected += 1;
          return;
        case 'CANCELLED':
          counts.cancelled += 1;
          return;
        default: {
          const never: never = status;
          throw new Error(`unknown status ${String(never)}`);
        }
      }
    },
    /** A sent order failed over HTTP. */
    failed(kind: string): void {
      counts.inFlight -= 1;
      error(kind);
    },
    /** A sent order was still not final when the settle timeout ran out. */
    unfinished(): void {
      counts.inFlight -= 1;
      counts.notFinal += 1;
    },

    errorsByKind: (): Record<string, number> => Object.fromEntries([...errorsByKind].sort((a, b) => b[1] - a[1])),
    /** When (ms after the start) the last order became final, as observed. */
    lastFinalMs: () => lastFinalMs,

    /** p50/p99 of the orders confirmed since the last call (for the live progress line). */
    takeRecent(): { count: number; p50: number; p99: number } {
      const taken = { count: recent.count, p50: recent.percentile(50), p99: recent.percentile(99) };
      recent.reset();
      return taken;
    },

    latency(): LatencySummary {
      const h = confirmedLatency;
      return { count: h.count, min: h.minMs, mean: h.meanMs, p50: h.percentile(50), p90: h.percentile(90), p99: h.percentile(99), p99_9: h.percentile(99.9), max: h.maxMs };
    },

    /** Per second of the schedule (by scheduled send time), for `seconds` seconds. */
    series(seconds: number): SecondStats[] {
      const bySecond: number[][] = Array.from({ length: seconds }, () => []);
      for (const s of samples) {
        if (s.status === 'CONFIRMED') bySecond[Math.floor(s.scheduledMs / 1000)]?.push(s.latencyMs);
      }
      const h = createHistogram();
      return bySecond.map((latencies, second) => {
        h.reset();
        latencies.forEach((l) => h.record(l));
        const any = h.count > 0;
        return {
          second,
          sent: sentPerSecond[second] ?? 0,
          confirmed: h.count,
          p50: any ? h.percentile(50) : null,
          p99: any ? h.percentile(99) : null,
          max: any ? h.maxMs : null,
        };
      });
    },
  };
}
