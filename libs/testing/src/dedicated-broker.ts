import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

/** Whether the process still runs (a zombie no longer does: it waits only to be reaped). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const script = path.resolve(__dirname, '../../../infra/kafka/kafka.sh');

export interface DedicatedBroker {
  brokers: string[];
  /** Starts (or restarts, keeping its data) the broker. */
  start(): Promise<void>;
  /** Stops the broker cleanly; its data stays for the next start. */
  stop(): Promise<void>;
  /** `kill -9` of the broker: a crash, no goodbye to its clients; its data stays for the next start. */
  kill(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/**
 * A real broker of a test's own (infra/kafka/kafka.sh on free ports, its own state directory), for
 * tests that stop and start Kafka: the shared broker of the other suites is never touched.
 */
export async function createDedicatedBroker(): Promise<DedicatedBroker> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'webshop-broker-'));
  const port = await freePort();
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_STATE_DIR: state, KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m' };
  const control = (command: 'start' | 'stop') => run('bash', [script, command], { env, timeout: 180_000 });
  return {
    brokers: [`127.0.0.1:${port}`],
    start: async () => void (await control('start')),
    stop: async () => void (await control('stop')),
    async kill() {
      const pid = Number(readFileSync(path.join(state, 'kafka.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
      rmSync(path.join(state, 'kafka.pid'), { force: true });
    },
    async destroy() {
      await control('stop').catch(() => undefined);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
