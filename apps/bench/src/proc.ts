/**
 * CPU time and memory of processes, from Linux's /proc/<pid>/stat (proc(5)): fields 14 and 15
 * (utime, stime) in clock ticks, field 24 (rss) in pages, field 4 the parent. The command name
 * (field 2) is in parentheses and may itself hold spaces or parentheses, so fields are counted
 * from the last ')'. Ticks are 1/100 s and pages 4 KiB on every Linux this runs on
 * (`getconf CLK_TCK`, `getconf PAGESIZE`).
 */
import { readdirSync, readFileSync } from 'node:fs';

export const TICKS_PER_SECOND = 100;
export const PAGE_BYTES = 4096;

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in ms. */
  cpuMs: number;
  rssBytes: number;
}

export function parseStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // After ') ': field 3 (state) is index 0, so field n is index n - 3.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => Number(fields[n - 3]);
  return { pid, ppid: field(4), cpuMs: ((field(14) + field(15)) * 1000) / TICKS_PER_SECOND, rssBytes: field(24) * PAGE_BYTES };
}

/** The process's stat, or undefined when it is gone. */
export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process now running. */
export function allStats(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== undefined);
}

/** `root` and all its descendants, out of `stats`. */
export function descendants(stats: readonly ProcStat[], root: number): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const found: ProcStat[] = [];
  const walk = (pid: number) => {
    const self = stats.find((s) => s.pid === pid);
    if (self) found.push(self);
    for (const child of children.get(pid) ?? []) walk(child.pid);
  };
  walk(root);
  return found;
}

/** CPU ms of each group of processes between two readings. A process that exited between them is not counted. */
export function cpuBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

export const cpuByPid = (stats: readonly ProcStat[]) => new Map(stats.map((s) => [s.pid, s.cpuMs]));
