import { cpuBetween, descendants, parseStat, readStat, type ProcStat } from './proc';

// A real line from /proc/<pid>/stat, its command name made awkward on purpose.
const line =
  '4242 (node (main) x) S 4200 4242 4200 0 -1 4194560 21810 0 0 0 1234 567 0 0 20 0 11 0 3300 1100000000 30000 18446744073709551615 1 1 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0';

describe('reading /proc', () => {
  it('takes the parent, CPU (utime + stime) and RSS from a stat line, whatever the command name holds', () => {
    expect(parseStat(line)).toEqual({ pid: 4242, ppid: 4200, cpuMs: 18_010, rssBytes: 30_000 * 4096 });
  });

  it('reads this very process', () => {
    const self = readStat(process.pid)!;
    expect(self.ppid).toBe(process.ppid);
    expect(self.rssBytes).toBeGreaterThan(0);
  });

  it('finds a process tree and counts only what its processes used in between', () => {
    const stat = (pid: number, ppid: number, cpuMs: number): ProcStat => ({ pid, ppid, cpuMs, rssBytes: 0 });
    const stats = [stat(1, 0, 0), stat(10, 1, 5), stat(11, 10, 7), stat(12, 10, 1), stat(20, 1, 9)];
    expect(descendants(stats, 10).map((s) => s.pid)).toEqual([10, 11, 12]);
    const before = new Map([[10, 100], [11, 50]]);
    const after = new Map([[10, 130], [11, 60], [12, 5]]); // 12 started in between
    expect(cpuBetween(before, after)).toBe(45);
  });
});
