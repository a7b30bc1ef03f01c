import { readFileSync } from 'node:fs';

/** Whether the process still runs; a zombie no longer does (it only waits to be reaped). */
export function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
