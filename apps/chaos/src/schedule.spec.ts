import { describeFault, faultSchedule } from './schedule';

const input = { seed: 1, faults: 10, durationMs: 120_000, replicas: 2, nodes: 3 };

describe('the fault schedule', () => {
  it('is the same for the same seed, and differs for another', () => {
    expect(faultSchedule(input)).toEqual(faultSchedule(input));
    expect(faultSchedule({ ...input, seed: 2 })).not.toEqual(faultSchedule(input));
  });

  it('has the faults asked for, in order, within the middle of the run, never overlapping', () => {
    const schedule = faultSchedule(input);
    expect(schedule).toHaveLength(10);
    let end = 0;
    for (const f of schedule) {
      expect(f.atMs).toBeGreaterThanOrEqual(12_000);
      expect(f.atMs).toBeLessThan(108_000);
      expect(f.atMs).toBeGreaterThanOrEqual(end);
      end = f.atMs + ('forMs' in f ? f.forMs : 0);
    }
  });

  it('targets only instances and nodes that exist', () => {
    for (const f of faultSchedule({ ...input, faults: 200, durationMs: 3_600_000 })) {
      if ('instance' in f) expect(f.instance).toBeLessThan(2);
      if (f.kind === 'broker-kill') expect([1, 2, 3]).toContain(f.node);
    }
  });

  it('uses every kind of fault over a long run', () => {
    const kinds = new Set(faultSchedule({ ...input, faults: 100, durationMs: 3_600_000 }).map((f) => f.kind));
    expect([...kinds].sort()).toEqual(['broker-kill', 'postgres-crash', 'sigkill', 'sigstop']);
  });

  it('has none with --no-faults', () => {
    expect(faultSchedule({ ...input, faults: 0 })).toEqual([]);
  });

  it('describes each fault for the printed schedule', () => {
    expect(describeFault({ kind: 'sigkill', atMs: 1500, service: 'email', instance: 1 })).toBe('+1.5s SIGKILL email#1');
    expect(describeFault({ kind: 'postgres-crash', atMs: 2000, forMs: 3000 })).toBe('+2.0s pg_ctl stop -m immediate, start after 3.0s');
  });
});
