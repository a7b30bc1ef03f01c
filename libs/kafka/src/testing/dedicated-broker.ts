import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, processAlive } from '@webshop/testing-core';
import { kafkaAccess, type KafkaAccess } from './test-kafka';

const run = promisify(execFile);
const script = path.resolve(__dirname, '../../../../infra/kafka/kafka.sh');

/** Its addresses (one per node) and, with SASL, its principals' logins (once started). */
export interface DedicatedBroker extends KafkaAccess {
  /** Starts (or restarts, keeping its data) the broker; in a cluster, every node not running. */
  start(): Promise<void>;
  /** Stops the broker (every node) cleanly; its data stays for the next start. */
  stop(): Promise<void>;
  /** `kill -9` of a node (1-based; the only one by default): a crash, no goodbye; its data stays. */
  kill(node?: number): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/**
 * A real broker of a test's own (infra/kafka/kafka.sh on free ports, its own state directory), for
 * tests that stop, kill and start Kafka: the shared broker of the other suites is never touched.
 * `nodes: 3` is a three-node KRaft cluster (replication factor 3, min.insync.replicas 2). With SASL and
 * ACLs, as infra/kafka runs by default; `security: 'plain'` for a test of the plain mode itself.
 */
export async function createDedicatedBroker({ nodes = 1, security = 'sasl' }: { nodes?: number; security?: 'plain' | 'sasl' } = {}): Promise<DedicatedBroker> {
  const state = mkdtempSync(path.join(os.tmpdir(), 'webshop-broker-'));
  const ports: number[] = [];
  const controllerPorts: number[] = [];
  for (let i = 0; i < nodes; i++) {
    ports.push(await freePort());
    controllerPorts.push(await freePort());
  }
  const env = {
    ...process.env,
    KAFKA_PORTS: ports.join(','),
    KAFKA_CONTROLLER_PORTS: controllerPorts.join(','),
    KAFKA_STATE_DIR: state,
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
    KAFKA_SECURITY: security,
  };
  const control = (command: 'start' | 'stop') => run('bash', [script, command], { env, timeout: 180_000 });
  const pidFile = (node: number) => path.join(nodes === 1 ? state : path.join(state, `node-${node}`), 'kafka.pid');
  return {
    ...kafkaAccess(
      ports.map((port) => `127.0.0.1:${port}`),
      security === 'sasl' ? path.join(state, 'credentials.env') : undefined,
    ),
    start: async () => void (await control('start')),
    stop: async () => void (await control('stop')),
    async kill(node = 1) {
      const pid = Number(readFileSync(pidFile(node), 'utf8'));
      process.kill(pid, 'SIGKILL');
      while (processAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
      rmSync(pidFile(node), { force: true });
    },
    async destroy() {
      await control('stop').catch(() => undefined);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
